import Anthropic, { APIError } from "@anthropic-ai/sdk"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { startEmulator } from "../server.ts"
import { countTokens } from "../tokens.ts"
import type { Emulator } from "../types.ts"

let emu: Emulator
let client: Anthropic

beforeAll(async () => {
  emu = await startEmulator()
  client = new Anthropic({ apiKey: "sk-ant-test", baseURL: emu.url, maxRetries: 0 })
})
afterAll(() => emu.close())
beforeEach(() => emu.reset())

const model = "claude-sonnet-4-5"
const user = (content: string) => [{ role: "user" as const, content }]
const weather = {
  name: "get_weather",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" }, days: { type: "integer" } },
  },
}

const textOf = (message: Anthropic.Message) =>
  message.content.map((block) => (block.type === "text" ? block.text : "")).join("")

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as APIError,
  )

describe("Anthropic Messages", () => {
  it("answers text whose output_tokens count it", async () => {
    const message = await client.messages.create({
      model,
      max_tokens: 100,
      system: "be brief",
      messages: user("hello there"),
    })
    expect(message.stop_reason).toBe("end_turn")
    expect(message.usage.output_tokens).toBe(countTokens(textOf(message)))
    expect(message.usage.input_tokens).toBe(4)
    expect(message.usage.cache_read_input_tokens).toBe(0)
    expect(emu.requests[0]?.headers["anthropic-version"]).toBeTruthy()
    expect(emu.requests[0]).toMatchObject({ api: "anthropic", model, outcome: "completed" })
  })

  it("streams the event sequence the SDK assembles into the same message", async () => {
    const stream = client.messages.stream({ model, max_tokens: 100, messages: user("stream") })
    const events: string[] = []
    stream.on("streamEvent", (event) => events.push(event.type))
    const message = await stream.finalMessage()

    expect(events[0]).toBe("message_start")
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"])
    expect(message.usage.output_tokens).toBe(countTokens(textOf(message)))
    expect(message.stop_reason).toBe("end_turn")
  })

  it("names every SSE event, with a ping after the first block starts", async () => {
    const response = await fetch(`${emu.anthropicBaseUrl}/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 3, stream: true, messages: user("x") }),
    })
    const names = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((m) => m[1])
    expect(response.headers.get("content-type")).toContain("text/event-stream")
    expect(names).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ])
  })

  it("stops at max_tokens with stop_reason max_tokens", async () => {
    const message = await client.messages.create({ model, max_tokens: 4, messages: user("x") })
    expect(message.stop_reason).toBe("max_tokens")
    expect(message.usage.output_tokens).toBe(4)
  })

  it("thinks first when thinking is enabled, counting thinking in output_tokens", async () => {
    const request = {
      model,
      max_tokens: 2048,
      thinking: { type: "enabled" as const, budget_tokens: 1024 },
      messages: user("think"),
    }
    const message = await client.messages.create(request)
    const thinking = message.content[0]
    expect(thinking?.type).toBe("thinking")
    const thought = thinking?.type === "thinking" ? thinking.thinking : ""
    expect(message.usage.output_tokens).toBe(countTokens(thought) + countTokens(textOf(message)))

    const streamed = await client.messages.stream(request).finalMessage()
    const block = streamed.content[0]
    expect(block?.type === "thinking" && block.signature).toBeTruthy()
    expect(streamed.content).toEqual(message.content)
  })

  it("never spends more than max_tokens on thinking and answer together", async () => {
    // Adaptive thinking has no budget of its own: max_tokens caps it, the text gets the rest.
    const small = await client.messages.create({
      model,
      max_tokens: 6,
      thinking: { type: "adaptive" } as never,
      messages: user("think"),
    })
    expect(small.usage.output_tokens).toBeLessThanOrEqual(6)
    expect(small.stop_reason).toBe("max_tokens")

    // A tool call that does not fit is cut, not sent whole:
    const cut = await client.messages.create({
      model,
      max_tokens: 1,
      tools: [weather],
      messages: user("weather?"),
    })
    expect(cut.content.some((block) => block.type === "tool_use")).toBe(false)
    expect(cut.stop_reason).toBe("max_tokens")
    expect(cut.usage.output_tokens).toBeLessThanOrEqual(1)
  })

  it("rejects a thinking budget that is not below max_tokens", async () => {
    const error = await fail(
      client.messages.create({
        model,
        max_tokens: 1024,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: user("x"),
      }),
    )
    expect(error?.status).toBe(400)
  })

  it("uses a tool, streamed as input_json_delta, then answers its result", async () => {
    const message = await client.messages.create({
      model,
      max_tokens: 100,
      tools: [weather],
      messages: user("weather?"),
    })
    const use = message.content[0]
    expect(message.stop_reason).toBe("tool_use")
    expect(use?.type === "tool_use" && use.input).toMatchObject({ days: 7 })

    const streamed = await client.messages
      .stream({ model, max_tokens: 100, tools: [weather], messages: user("weather?") })
      .finalMessage()
    expect(streamed.content).toEqual(message.content)

    const answer = await client.messages.create({
      model,
      max_tokens: 100,
      tools: [weather],
      messages: [
        ...user("weather?"),
        { role: "assistant", content: message.content },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: use?.type === "tool_use" ? use.id : "",
              content: "sunny",
            },
          ],
        },
      ],
    })
    expect(answer.stop_reason).toBe("end_turn")
  })

  it("keeps cache reads and writes apart from input_tokens", async () => {
    const message = await client.messages.create(
      { model, max_tokens: 50, messages: user("a b c d e f g h") },
      { headers: { "x-emulator-cached-tokens": "3", "x-emulator-cache-write-tokens": "2" } },
    )
    expect(message.usage).toMatchObject({
      input_tokens: 3,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 2,
    })
  })

  it("requires the key and the anthropic-version header", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${emu.anthropicBaseUrl}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ model, max_tokens: 5, messages: user("x") }),
      })
    const noKey = await post({ "anthropic-version": "2023-06-01" })
    expect(noKey.status).toBe(401)
    expect(await noKey.json()).toMatchObject({
      type: "error",
      error: { type: "authentication_error" },
    })
    expect((await post({ "x-api-key": "k" })).status).toBe(400)
  })
})

describe("Anthropic faults", () => {
  it("sends 529 overloaded_error", async () => {
    const error = await fail(
      client.messages.create({ model: `${model}~overloaded`, max_tokens: 5, messages: user("x") }),
    )
    expect(error?.status).toBe(529)
    expect(error?.error).toMatchObject({ type: "error", error: { type: "overloaded_error" } })
  })

  it("sends 429 rate_limit_error with retry-after", async () => {
    emu.enqueueFault({ kind: "rate-limit", retryAfterSeconds: 3 })
    const error = await fail(client.messages.create({ model, max_tokens: 5, messages: user("x") }))
    expect(error?.status).toBe(429)
    expect(error?.headers?.get("retry-after")).toBe("3")
    expect(error?.error).toMatchObject({ error: { type: "rate_limit_error" } })
  })

  it("sends an error event mid-stream, which the SDK raises", async () => {
    const stream = client.messages.stream(
      { model, max_tokens: 100, messages: user("x") },
      { headers: { "x-emulator-fault": "stream-error=4" } },
    )
    const error = await fail(stream.finalMessage())
    expect(error).toBeInstanceOf(APIError)
    expect(String(error?.message)).toContain("overloaded_error")
  })

  it("refuses a blocked request with stop_reason refusal", async () => {
    const message = await client.messages.create(
      { model, max_tokens: 5, messages: user("x") },
      { headers: { "x-emulator-fault": "blocked" } },
    )
    expect(message.stop_reason).toBe("refusal")
  })
})
