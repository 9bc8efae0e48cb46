import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ChatCompletion } from "./index.ts"
import { createClient } from "./index.ts"

interface Seen {
  readonly url: string
  readonly auth: string | undefined
  readonly body: Record<string, unknown>
}

const seen: Seen[] = []
let status = 200
let server: Server
let baseURL = ""

const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  let text = ""
  for await (const chunk of req) text += chunk
  return JSON.parse(text) as Record<string, unknown>
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push({ url: req.url ?? "", auth: req.headers.authorization, body: await readJson(req) })
    res.writeHead(status, { "content-type": "application/json", "retry-after-ms": "1" })
    const completion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model: "gpt-4.1",
      choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4, cost: 0.000012 },
    }
    res.end(JSON.stringify(status === 200 ? completion : { error: { message: "down", type: "x" } }))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe("createClient", () => {
  it("sends gateway extras and reads usage.cost without casts", async () => {
    status = 200
    seen.length = 0
    const client = createClient({ baseURL, apiKey: "tg-test" })
    const completion: ChatCompletion = await client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "hello" }],
      models: ["gpt-4.1"],
      fallbacks: true,
      generation_config: { thinking_mode: "speed" },
    })

    expect(completion.usage?.cost).toBe(0.000012)
    expect(seen[0]?.url).toBe("/v1/chat/completions")
    expect(seen[0]?.auth).toBe("Bearer tg-test")
    expect(seen[0]?.body.models).toEqual(["gpt-4.1"])
    expect(seen[0]?.body.generation_config).toEqual({ thinking_mode: "speed" })
  })

  it("reads TOLLGATE_BASE_URL and TOLLGATE_API_KEY", async () => {
    status = 200
    seen.length = 0
    process.env.TOLLGATE_BASE_URL = `${baseURL}/v1/`
    process.env.TOLLGATE_API_KEY = "tg-from-env"
    try {
      await createClient().chat.completions.create({
        model: "gpt-4.1",
        messages: [{ role: "user", content: "x" }],
      })
    } finally {
      delete process.env.TOLLGATE_BASE_URL
      delete process.env.TOLLGATE_API_KEY
    }

    expect(seen[0]?.url).toBe("/v1/chat/completions")
    expect(seen[0]?.auth).toBe("Bearer tg-from-env")
  })

  it("retries a failed call only once, since the gateway retries itself", async () => {
    status = 503
    seen.length = 0
    const client = createClient({ baseURL, apiKey: "tg-test" })
    const call = client.chat.completions.create({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "x" }],
    })

    await expect(call).rejects.toMatchObject({ status: 503 })
    expect(seen).toHaveLength(2)
  })

  it("refuses to start without a key", () => {
    expect(() => createClient({ baseURL })).toThrow(/TOLLGATE_API_KEY/)
  })
})
