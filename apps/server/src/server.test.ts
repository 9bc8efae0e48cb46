import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { requireShared } from "@tollgate/emulator/shared-fixtures"
import OpenAI, { APIError } from "openai"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { makeServer, type RunningServer } from "./index.ts"
import { assertMatchesSpec, loadOpenAiSpec, type SpecSchema } from "./testing/openai-spec.ts"

// Bodies are checked against OpenAI's spec when ../shared is there (skipped with a message if not).
const hasSpec = requireShared()
const conforms = (schema: SpecSchema, value: unknown) => {
  if (hasSpec) assertMatchesSpec(schema, value)
}

const MASTER_KEY = "tg-test-master-key"
const BODY_LIMIT = 64 * 1024

const user = (content: string) => [{ role: "user" as const, content }]

/** The error a call failed with, as the `openai` client reports it. */
const apiError = async (call: Promise<unknown>): Promise<APIError> => {
  try {
    await call
  } catch (error) {
    if (error instanceof APIError) return error
    throw error
  }
  throw new Error("expected the call to fail")
}

const conformsError = (error: APIError) => conforms("ErrorResponse", { error: error.error })

const waitFor = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 100; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

let emulator: Emulator
let server: RunningServer
let client: OpenAI
const logLines: string[] = []

beforeAll(() => {
  if (hasSpec) loadOpenAiSpec()
}, 60_000)

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 })
  const cwd = mkdtempSync(join(tmpdir(), "tollgate-server-"))
  writeFileSync(
    join(cwd, "tollgate.config.json"),
    JSON.stringify({ server: { bodyLimit: BODY_LIMIT } }),
  )
  server = await makeServer({
    port: 0,
    cwd,
    emulatorUrl: emulator.url,
    env: { TOLLGATE_MASTER_KEY: MASTER_KEY },
    log: (line) => logLines.push(line),
    shutdownGraceMs: 200,
  })
  // No client retries: every retry counted here is the gateway's own.
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 })
})

afterAll(async () => {
  await server?.close()
  await emulator?.close()
})

beforeEach(() => {
  emulator.reset()
})

describe("POST /v1/chat/completions", () => {
  it("answers a completion with usage and a request id", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "gpt-4.1", messages: user("hello") })
      .withResponse()

    conforms("CreateChatCompletionResponse", data)
    expect(data.model).toBe("gpt-4.1")
    expect(data.choices[0]?.message.content).toBeTruthy()
    expect(data.usage?.completion_tokens).toBeGreaterThan(0)
    expect(response.headers.get("x-request-id")).toMatch(/^req_/)
  })

  it.each(["gemini-3.1-flash", "gemini-2.5-pro", "claude-sonnet-4.5", "deepseek-v3.2"])(
    "answers %s in the OpenAI shape, streamed and not",
    async (model) => {
      const data = await client.chat.completions.create({ model, messages: user("hello") })
      conforms("CreateChatCompletionResponse", data)
      expect(data.choices[0]?.message.content).toBeTruthy()

      const stream = await client.chat.completions.create({
        model,
        messages: user("hello"),
        stream: true,
        stream_options: { include_usage: true },
      })
      let text = ""
      for await (const chunk of stream) {
        conforms("CreateChatCompletionStreamResponse", chunk)
        text += chunk.choices[0]?.delta.content ?? ""
      }
      expect(text.length).toBeGreaterThan(0)
    },
  )

  it("answers with its own request id and echoes a sane client id beside it", async () => {
    const { response } = await client.chat.completions
      .create(
        { model: "gpt-4.1", messages: user("hi") },
        { headers: { "x-client-request-id": "abc-123" } },
      )
      .withResponse()
    expect(response.headers.get("x-request-id")).toMatch(/^req_/)
    expect(response.headers.get("x-client-request-id")).toBe("abc-123")
  })

  it("streams chunks that end with a usage chunk", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("hello"),
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const chunk of stream) {
      conforms("CreateChatCompletionStreamResponse", chunk)
      chunks.push(chunk)
    }

    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")
    expect(text.length).toBeGreaterThan(0)
    const last = chunks.at(-1)
    expect(last?.choices).toEqual([])
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it("ends a clean stream with [DONE] on the wire", async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1", messages: user("hi"), stream: true }),
    })
    expect(response.headers.get("content-type")).toContain("text/event-stream")
    const body = await response.text()
    expect(body.endsWith("data: [DONE]\n\n")).toBe(true)
  })

  it("ends a stream that failed upstream with an error event and no [DONE]", async () => {
    emulator.enqueueFault({ kind: "stream-error", afterChunks: 2 }, { model: "gpt-4.1" })
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4.1", messages: user("hi"), stream: true }),
    })
    const events = (await response.text()).split("\n\n").filter((e) => e !== "")
    const last = events.at(-1) ?? ""
    expect(last).not.toContain("[DONE]")
    const payload: unknown = JSON.parse(last.replace(/^data: /, ""))
    conforms("ErrorResponse", payload)
  })

  it("retries a 503 after its Retry-After and succeeds", async () => {
    emulator.enqueueFault(
      { kind: "status", status: 503, retryAfterSeconds: 1 },
      { model: "gpt-4.1", times: 1 },
    )
    const started = Date.now()
    const data = await client.chat.completions.create({ model: "gpt-4.1", messages: user("hi") })

    conforms("CreateChatCompletionResponse", data)
    expect(emulator.requests.map((r) => r.status)).toEqual([503, 200])
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it("does not retry a 400 from the upstream", async () => {
    emulator.enqueueFault({ kind: "status", status: 400 }, { model: "gpt-4.1", times: 1 })
    const error = await apiError(
      client.chat.completions.create({ model: "gpt-4.1", messages: user("hi") }),
    )

    expect(error.status).toBe(400)
    conformsError(error)
    expect(emulator.requests).toHaveLength(1)
  })

  it("ends a stalled upstream in a 504 within the deadline", async () => {
    emulator.enqueueFault({ kind: "stall" }, { model: "gpt-4.1" })
    const started = Date.now()
    const error = await apiError(
      client.chat.completions.create(
        { model: "gpt-4.1", messages: user("hi") },
        { headers: { "x-tollgate-timeout-ms": "600" } },
      ),
    )

    expect(error.status).toBe(504)
    conformsError(error)
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it("names the field of an invalid request in a 400", async () => {
    const error = await apiError(client.chat.completions.create({ model: "gpt-4.1", messages: [] }))
    expect(error.status).toBe(400)
    conformsError(error)
    expect(error.param).toBe("messages")
    expect(emulator.requests).toHaveLength(0)
  })

  it("refuses invalid JSON with a 400", async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: '{"model": "gpt-4.1", ',
    })
    expect(response.status).toBe(400)
    const body: unknown = await response.json()
    conforms("ErrorResponse", body)
  })

  it("refuses a body over the limit with a 413, by length and while reading", async () => {
    const error = await apiError(
      client.chat.completions.create({ model: "gpt-4.1", messages: user("x".repeat(BODY_LIMIT)) }),
    )
    expect(error.status).toBe(413)
    conformsError(error)

    // Chunked, so no content-length: the limit is enforced while reading.
    const big = new TextEncoder().encode(JSON.stringify({ padding: "y".repeat(BODY_LIMIT) }))
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(big)
          controller.close()
        },
      }),
      duplex: "half",
    } as RequestInit)
    expect(response.status).toBe(413)
    conforms("ErrorResponse", await response.json())
    expect(emulator.requests).toHaveLength(0)
  })

  it("answers an unknown model with a 404 suggesting the closest ids", async () => {
    const error = await apiError(
      client.chat.completions.create({ model: "gpt-4.2", messages: user("hi") }),
    )
    expect(error.status).toBe(404)
    conformsError(error)
    expect(error.message).toContain("gpt-4.1")
  })
})

describe("authentication", () => {
  it("refuses a provider key with a 401 saying to use the Tollgate key", async () => {
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-proj-abc", maxRetries: 0 })
    const error = await apiError(wrong.models.list())

    expect(error.status).toBe(401)
    conformsError(error)
    expect(error.message).toContain("this is a provider key; use your Tollgate key")
  })

  it("refuses an unknown key without the hint", async () => {
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "nope", maxRetries: 0 })
    const error = await apiError(
      wrong.chat.completions.create({ model: "gpt-4.1", messages: user("hi") }),
    )
    expect(error.status).toBe(401)
    expect(error.message).not.toContain("provider key")
    expect(emulator.requests).toHaveLength(0)
  })
})

describe("models", () => {
  it("lists the catalog with emulated models marked", async () => {
    const response = await fetch(`${server.url}/v1/models`, {
      headers: { authorization: `Bearer ${MASTER_KEY}` },
    })
    const body = (await response.json()) as { data: Array<{ id: string; owned_by: string }> }
    conforms("ListModelsResponse", body)

    const ids = body.data.map((m) => m.id)
    expect(ids).toEqual(expect.arrayContaining(["gemini-3.1-flash", "claude-sonnet-4.5"]))
    expect(body.data.find((m) => m.id === "gemini-2.5-flash")?.owned_by).toBe("google (emulated)")
  })

  it("retrieves a model by plain and provider-prefixed id", async () => {
    const model = await client.models.retrieve("gpt-4.1")
    conforms("Model", model)
    expect(model.owned_by).toBe("openai (emulated)")
    const prefixed = await client.models.retrieve("google/gemini-2.5-flash")
    expect(prefixed.id).toBe("gemini-2.5-flash")
  })

  it("answers an unknown model id with an OpenAI-shaped 404", async () => {
    const error = await apiError(client.models.retrieve("gemini-9"))
    expect(error.status).toBe(404)
    conformsError(error)
  })
})

describe("unknown routes", () => {
  it("answers unknown paths with 404 and wrong methods with 405, both OpenAI-shaped", async () => {
    const missing = await fetch(`${server.url}/v1/nothing`)
    expect(missing.status).toBe(404)
    conforms("ErrorResponse", await missing.json())
    expect(missing.headers.get("x-request-id")).toBeTruthy()

    const wrongMethod = await fetch(`${server.url}/v1/chat/completions`)
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get("allow")).toBe("POST")
    conforms("ErrorResponse", await wrongMethod.json())
  })

  it("answers /health without a key", async () => {
    const response = await fetch(`${server.url}/health`)
    expect(response.status).toBe(200)
  })
})

describe("request log", () => {
  it("writes one JSON line per request, without the key or the messages", async () => {
    const secret = "a prompt that must never reach the log"
    const { response } = await client.chat.completions
      .create({ model: "gpt-4.1", messages: user(secret) })
      .withResponse()
    const requestId = response.headers.get("x-request-id")

    await waitFor(() => logLines.some((l) => l.includes(`${requestId}`)), "the log line")
    const lines = logLines.filter((l) => l.includes(`"request_id":"${requestId}"`))
    expect(lines).toHaveLength(1)
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>
    expect(line).toMatchObject({ method: "POST", status: 200, model: "gpt-4.1" })
    expect(typeof line.latency_ms).toBe("number")
    const all = logLines.join("\n")
    expect(all).not.toContain(MASTER_KEY)
    expect(all).not.toContain(secret)
  })
})

describe("client abort", () => {
  let slowEmulator: Emulator
  let slowServer: RunningServer

  beforeAll(async () => {
    // Slow enough that the client can leave mid-stream: 500 tokens at 50 per second.
    slowEmulator = await startEmulator({ port: 0, tokensPerSecond: 50, defaultTokens: 500 })
    slowServer = await makeServer({
      port: 0,
      cwd: mkdtempSync(join(tmpdir(), "tollgate-abort-")),
      emulatorUrl: slowEmulator.url,
      env: { TOLLGATE_MASTER_KEY: MASTER_KEY },
      log: false,
    })
  })

  afterAll(async () => {
    await slowServer?.close()
    await slowEmulator?.close()
  })

  it("closes the upstream connection when the client goes away mid-stream", async () => {
    const slow = new OpenAI({ baseURL: `${slowServer.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 })
    const controller = new AbortController()
    const stream = await slow.chat.completions.create(
      { model: "gpt-4.1", messages: user("tell me a long story"), stream: true },
      { signal: controller.signal },
    )

    let received = 0
    try {
      for await (const chunk of stream) {
        conforms("CreateChatCompletionStreamResponse", chunk)
        received++
        if (received === 3) {
          controller.abort()
          break
        }
      }
    } catch {
      // The client reports its own abort either by ending the iteration or by throwing.
    }
    expect(received).toBeLessThan(20)

    await waitFor(
      () => slowEmulator.requests[0]?.outcome === "client-closed",
      "the emulator to see the client close",
    )
    expect(slowEmulator.requests).toHaveLength(1)
  })
})
