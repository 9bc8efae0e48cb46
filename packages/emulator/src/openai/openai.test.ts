import OpenAI, { APIError } from "openai"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { startEmulator } from "../server.ts"
import { countTokens } from "../tokens.ts"
import type { Emulator } from "../types.ts"

let emu: Emulator
let client: OpenAI

beforeAll(async () => {
  emu = await startEmulator()
  client = new OpenAI({ baseURL: emu.openaiBaseUrl, apiKey: "sk-test", maxRetries: 0 })
})
afterAll(() => emu.close())
beforeEach(() => emu.reset())

const user = (content: string) => [{ role: "user" as const, content }]

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city"],
    },
  },
}

describe("OpenAI chat completions", () => {
  it("answers with deterministic text whose usage counts its tokens", async () => {
    const first = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("say hello"),
    })
    const again = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("say hello"),
    })
    const text = first.choices[0]?.message.content ?? ""

    expect(text).toBe(again.choices[0]?.message.content)
    expect(first.object).toBe("chat.completion")
    expect(first.choices[0]?.finish_reason).toBe("stop")
    expect(first.usage?.completion_tokens).toBe(countTokens(text))
    expect(first.usage?.completion_tokens).toBe(16)
    expect(first.usage?.prompt_tokens).toBe(2)
    expect(emu.requests[0]).toMatchObject({ api: "openai", model: "gpt-4.1", outcome: "completed" })
  })

  it("stops at max_tokens with finish_reason length, grows with x-emulator-tokens", async () => {
    const short = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("hi"),
      max_tokens: 3,
    })
    expect(short.choices[0]?.finish_reason).toBe("length")
    expect(short.usage?.completion_tokens).toBe(3)

    const long = await client.chat.completions.create(
      { model: "gpt-4.1", messages: user("hi") },
      { headers: { "x-emulator-tokens": "40" } },
    )
    expect(countTokens(long.choices[0]?.message.content ?? "")).toBe(40)
  })

  it("streams chunks ending in a usage chunk with no choices, then [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("stream please"),
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ""
    const chunks = []
    for await (const chunk of stream) {
      chunks.push(chunk)
      text += chunk.choices[0]?.delta.content ?? ""
    }
    const last = chunks[chunks.length - 1]
    expect(last?.choices).toEqual([])
    expect(last?.usage?.completion_tokens).toBe(countTokens(text))
    expect(chunks[chunks.length - 2]?.choices[0]?.finish_reason).toBe("stop")
    expect(emu.requests[0]).toMatchObject({ stream: true, outcome: "completed" })
  })

  it("leaves usage out of a stream that did not ask for it", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("no usage"),
      stream: true,
    })
    for await (const chunk of stream) expect(chunk.usage).toBeUndefined()
  })

  it("calls the first tool with fitting arguments, then answers the tool result", async () => {
    const call = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("weather in Paris?"),
      tools: [weatherTool],
    })
    const toolCall = call.choices[0]?.message.tool_calls?.[0]
    expect(call.choices[0]?.finish_reason).toBe("tool_calls")
    expect(toolCall?.type === "function" && toolCall.function.name).toBe("get_weather")
    const args = JSON.parse(toolCall?.type === "function" ? toolCall.function.arguments : "")
    expect(args).toMatchObject({ city: expect.any(String), unit: "c" })

    const answer = await client.chat.completions.create({
      model: "gpt-4.1",
      tools: [weatherTool],
      messages: [
        ...user("weather in Paris?"),
        { role: "assistant", content: null, tool_calls: call.choices[0]?.message.tool_calls ?? [] },
        { role: "tool", tool_call_id: toolCall?.id ?? "", content: "sunny, 21 C" },
      ],
    })
    expect(answer.choices[0]?.finish_reason).toBe("stop")
    expect(answer.choices[0]?.message.content).toBeTruthy()
  })

  it("streams a tool call as an opening delta and argument fragments", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("weather?"),
      tools: [weatherTool],
      stream: true,
    })
    let name = ""
    let args = ""
    let finish: string | null | undefined
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.tool_calls?.[0]
      name += delta?.function?.name ?? ""
      args += delta?.function?.arguments ?? ""
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(name).toBe("get_weather")
    expect(JSON.parse(args)).toHaveProperty("city")
    expect(finish).toBe("tool_calls")
  })

  it("lists models and answers one, with a 404 for an unknown id", async () => {
    const ids = []
    for await (const model of client.models.list()) ids.push(model.id)
    expect(ids).toContain("gpt-4.1")
    expect((await client.models.retrieve("gpt-4.1")).id).toBe("gpt-4.1")
    const error = await client.models.retrieve("nope").catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(404)
    expect((error as APIError).code).toBe("model_not_found")
  })

  it("spends reasoning tokens on reasoning models and rejects their max_tokens", async () => {
    const answer = await client.chat.completions.create({
      model: "o4-mini",
      messages: user("think"),
      reasoning_effort: "high",
    })
    const text = answer.choices[0]?.message.content ?? ""
    expect(answer.usage?.completion_tokens_details?.reasoning_tokens).toBe(32)
    expect(answer.usage?.completion_tokens).toBe(countTokens(text) + 32)

    const error = await client.chat.completions
      .create({ model: "o4-mini", messages: user("x"), max_tokens: 5 })
      .catch((e: unknown) => e)
    expect((error as APIError).status).toBe(400)
    expect((error as APIError).code).toBe("unsupported_parameter")
    expect((error as APIError).param).toBe("max_tokens")
  })

  it("rejects a request without messages naming the field", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-4.1", messages: [] })
      .catch((e: unknown) => e)
    expect((error as APIError).status).toBe(400)
    expect((error as APIError).param).toBe("messages")
  })

  it("answers JSON that fits a json_schema response format, counted like text", async () => {
    const answer = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("a city"),
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "city",
          schema: {
            type: "object",
            properties: { name: { type: "string" }, size: { type: "integer" } },
          },
        },
      },
    })
    const text = answer.choices[0]?.message.content ?? ""
    expect(JSON.parse(text)).toEqual({ name: expect.any(String), size: 7 })
    expect(answer.usage?.completion_tokens).toBe(countTokens(text))

    const free = await client.chat.completions.create({
      model: "gpt-4.1",
      messages: user("anything"),
      response_format: { type: "json_object" },
    })
    expect(JSON.parse(free.choices[0]?.message.content ?? "")).toHaveProperty("answer")
  })

  it("reports cached prompt tokens asked for by header", async () => {
    const answer = await client.chat.completions.create(
      { model: "gpt-4.1", messages: user("one two three four five") },
      { headers: { "x-emulator-cached-tokens": "3" } },
    )
    expect(answer.usage?.prompt_tokens).toBe(5)
    expect(answer.usage?.prompt_tokens_details?.cached_tokens).toBe(3)
  })
})

describe("OpenAI faults", () => {
  const fail = (model: string, headers: Record<string, string> = {}) =>
    client.chat.completions.create({ model, messages: user("x") }, { headers }).then(
      () => undefined,
      (e: unknown) => e as APIError,
    )

  it("sends a status with an OpenAI error body and Retry-After", async () => {
    const error = await fail("gpt-4.1", { "x-emulator-fault": "status=503;retry-after=2" })
    expect(error?.status).toBe(503)
    expect(error?.type).toBe("server_error")
    expect(error?.headers?.get("retry-after")).toBe("2")
    expect(emu.requests[0]).toMatchObject({ outcome: "fault", status: 503 })
  })

  it("sends rate limits and used-up quota as different 429s", async () => {
    const limited = await fail("gpt-4.1~rate-limit=1")
    expect(limited?.status).toBe(429)
    expect(limited?.code).toBe("rate_limit_exceeded")
    expect(limited?.headers?.get("retry-after")).toBe("1")

    const quota = await fail("gpt-4.1~quota")
    expect(quota?.status).toBe(429)
    expect(quota?.code).toBe("insufficient_quota")
    expect(quota?.type).toBe("insufficient_quota")
    expect(quota?.headers?.get("x-should-retry")).toBe("false")
  })

  it("answers a blocked request with a refusal", async () => {
    const answer = await client.chat.completions.create(
      { model: "gpt-4.1", messages: user("x") },
      { headers: { "x-emulator-fault": "blocked" } },
    )
    expect(answer.choices[0]?.message.content).toBeNull()
    expect(answer.choices[0]?.message.refusal).toMatch(/can't help/)
  })

  it("sends a malformed tool call whose arguments are not JSON", async () => {
    const answer = await client.chat.completions.create({
      model: "gpt-4.1~malformed-tool-call",
      messages: user("x"),
      tools: [weatherTool],
    })
    const call = answer.choices[0]?.message.tool_calls?.[0]
    const args = call?.type === "function" ? call.function.arguments : "{}"
    expect(() => JSON.parse(args)).toThrow()
  })

  it("ends a stream with an error payload and no [DONE] on stream-error", async () => {
    const stream = await client.chat.completions.create(
      { model: "gpt-4.1", messages: user("x"), stream: true },
      { headers: { "x-emulator-fault": "stream-error=3" } },
    )
    const seen: unknown[] = []
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk)
    })().catch((e: unknown) => e)
    expect(seen).toHaveLength(3)
    expect(error).toBeInstanceOf(APIError)
  })
})
