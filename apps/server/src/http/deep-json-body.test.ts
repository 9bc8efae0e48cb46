import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeServer, type RunningServer } from "../index.ts"

const MASTER_KEY = "tg-test-master-key"

let emulator: Emulator
let server: RunningServer

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 })
  server = await makeServer({
    port: 0,
    cwd: mkdtempSync(join(tmpdir(), "tollgate-deep-")),
    emulatorUrl: emulator.url,
    env: { TOLLGATE_MASTER_KEY: MASTER_KEY },
    log: () => {},
    shutdownGraceMs: 200,
  })
})

afterAll(async () => {
  await server?.close()
  await emulator?.close()
})

const post = (body: string) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
    body,
  })

describe("a request body nested too deep", () => {
  it("is refused with a 400 naming the field, not a 500, and never goes upstream", async () => {
    const depth = 100_000
    const body =
      `{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}],"metadata":` +
      `${"[".repeat(depth)}${"]".repeat(depth)}}`
    const response = await post(body)
    expect(response.status).toBe(400)
    const { error } = (await response.json()) as {
      error: { message: string; type: string; param: string | null }
    }
    expect(error.type).toBe("invalid_request_error")
    expect(error.param).toBe("metadata")
    expect(error.message).toMatch(/nested more than 64 levels/)
    expect(emulator.requests).toHaveLength(0)
  })

  it("still serves a body nested within the limit", async () => {
    const response = await post(
      JSON.stringify({
        model: "gpt-4.1",
        messages: [{ role: "user", content: "hi" }],
        metadata: { note: "shallow" },
      }),
    )
    expect(response.status).toBe(200)
  })
})
