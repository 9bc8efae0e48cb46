import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import OpenAI, { APIError } from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeServer, type RunningServer } from "./index.ts"

const MASTER_KEY = "tg-test-master-key"

let emulator: Emulator
let server: RunningServer

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 })
  server = await makeServer({
    port: 0,
    cwd: mkdtempSync(join(tmpdir(), "tollgate-admin-")),
    emulatorUrl: emulator.url,
    env: { TOLLGATE_MASTER_KEY: MASTER_KEY },
    log: false,
    shutdownGraceMs: 200,
  })
})

afterAll(async () => {
  await server?.close()
  await emulator?.close()
})

const call = async (method: string, path: string, key: string, body?: unknown) => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

const createKey = async (settings: Record<string, unknown>) => {
  const created = await call("POST", "/admin/keys", MASTER_KEY, settings)
  expect(created.status).toBe(201)
  return created.body as { id: string; key: string }
}

const clientFor = (key: string) =>
  new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 })

const hi = { model: "gpt-4.1", messages: [{ role: "user" as const, content: "hi" }] }

describe("/admin/keys", () => {
  it("creates a key shown once, then lists it without its secret", async () => {
    const { id, key } = await createKey({ name: "team-a" })
    expect(key).toMatch(/^tg-[0-9a-f]{16}-/)

    const listed = await call("GET", "/admin/keys", MASTER_KEY)
    expect(listed.status).toBe(200)
    const entry = (listed.body as { data: Array<{ id: string; name: string }> }).data.find(
      (k) => k.id === id,
    )
    expect(entry?.name).toBe("team-a")
    expect(JSON.stringify(listed.body)).not.toContain(key)
  })

  it("refuses a virtual key on an admin endpoint with an OpenAI-shaped 403", async () => {
    const { key } = await createKey({ name: "not-an-admin" })
    const refused = await call("GET", "/admin/keys", key)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatchObject({ error: { code: "admin_only" } })
  })

  it("lets a virtual key call models until it is revoked", async () => {
    const { id, key } = await createKey({ name: "short-lived" })
    const answer = await clientFor(key).chat.completions.create(hi)
    expect(answer.choices[0]?.message.content).toBeTruthy()

    expect((await call("DELETE", `/admin/keys/${id}`, MASTER_KEY)).status).toBe(200)
    const error = await clientFor(key)
      .chat.completions.create(hi)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(401)
  })

  it("rotates a key: the old secret stops working, the new one works", async () => {
    const { id, key } = await createKey({ name: "rotating" })
    const rotated = await call("POST", `/admin/keys/${id}/rotate`, MASTER_KEY)
    expect(rotated.status).toBe(200)
    const fresh = (rotated.body as { key: string }).key
    expect(fresh).not.toBe(key)

    expect((await call("POST", "/v1/chat/completions", key, hi)).status).toBe(401)
    expect((await call("POST", "/v1/chat/completions", fresh, hi)).status).toBe(200)
  })

  it("updates and tops up a key, answering with its new settings", async () => {
    const { id } = await createKey({ name: "adjustable" })
    const patched = await call("PATCH", `/admin/keys/${id}`, MASTER_KEY, { rpm: 5 })
    expect(patched.body).toMatchObject({ id, rpm: 5 })
    const topped = await call("POST", `/admin/keys/${id}/top-up`, MASTER_KEY, { amount_usd: "5" })
    expect(topped.status).toBe(200)
    expect(Number((topped.body as { credit_usd: string }).credit_usd)).toBe(5)
  })

  it("refuses a request over the key's RPM with a 429 and rate-limit headers", async () => {
    const { key } = await createKey({ name: "slow", rpm: 1 })
    await clientFor(key).chat.completions.create(hi)

    const refused = await call("POST", "/v1/chat/completions", key, hi)
    expect(refused.status).toBe(429)
    expect(refused.headers.get("retry-after")).toBeTruthy()
    expect(refused.headers.get("x-ratelimit-limit-requests")).toBe("1")
    expect(refused.body).toMatchObject({ error: { code: "rate_limit_exceeded" } })
  })
})

describe("GET /v1/usage", () => {
  it("reports a key's spend to the master key and to that key alone", async () => {
    const { id, key } = await createKey({ name: "reporter" })
    const answer = await clientFor(key).chat.completions.create(hi)
    const cost = (answer.usage as { cost?: number } | undefined)?.cost
    expect(cost).toBeGreaterThan(0)

    // The ledger commits in the background (every 50 ms): poll briefly.
    let rows: Array<{ group: string; requests: number; cost_usd: string }> = []
    for (let i = 0; i < 40 && rows.length === 0; i++) {
      const report = await call("GET", "/v1/usage?group_by=key", MASTER_KEY)
      expect(report.status).toBe(200)
      rows = (report.body as { data: typeof rows }).data.filter((r) => r.group === id)
      if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(rows).toHaveLength(1)
    expect(rows[0]?.requests).toBe(1)
    expect(Number(rows[0]?.cost_usd)).toBeCloseTo(cost ?? 0, 9)

    const own = await call("GET", "/v1/usage?group_by=key", key)
    const groups = (own.body as { data: Array<{ group: string }> }).data.map((r) => r.group)
    expect(groups).toEqual([id])
  })

  it("records two requests that reuse one client x-request-id as two ledger rows", async () => {
    const { id, key } = await createKey({ name: "reuser" })
    const options = { headers: { "x-request-id": "client-retry-1" } }
    const first = await clientFor(key).chat.completions.create(hi, options).withResponse()
    await clientFor(key).chat.completions.create(hi, options)
    expect(first.response.headers.get("x-client-request-id")).toBe("client-retry-1")
    expect(first.response.headers.get("x-request-id")).toMatch(/^req_/)

    let requests = 0
    for (let i = 0; i < 40 && requests < 2; i++) {
      const report = await call("GET", "/v1/usage?group_by=key", key)
      const rows = (report.body as { data: Array<{ group: string; requests: number }> }).data
      requests = rows.find((r) => r.group === id)?.requests ?? 0
      if (requests < 2) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(requests).toBe(2)
  })

  it("names a bad group_by in a 400", async () => {
    const bad = await call("GET", "/v1/usage?group_by=colour", MASTER_KEY)
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ error: { param: "group_by" } })
  })
})
