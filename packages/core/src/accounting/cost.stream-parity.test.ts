import { type Emulator, startEmulator } from "@tollgate/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { costOf } from "./cost.ts"
import { defaultPriceBook } from "./price-catalog.ts"
import { type UsageRules, usageOfBody, usageOfStream } from "./recorded-usage.test-support.ts"

/**
 * The same completion, streamed and not, must cost the same. The recordings cannot show it (each
 * was a separate call with its own token counts), so the emulator, whose generated text and
 * usage are deterministic for a given request, produces both forms of one completion.
 */

let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 })
})

afterAll(async () => {
  await emulator.close()
})

const sseData = (text: string): ReadonlyArray<unknown> =>
  text
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trim())
    .filter((data) => data !== "[DONE]")
    .map((data) => JSON.parse(data) as unknown)

const post = async (url: string, headers: Record<string, string>, body: unknown) => {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  })
  expect(response.status).toBe(200)
  return response.text()
}

interface Api {
  readonly name: string
  readonly rules: UsageRules
  readonly model: string
  readonly whole: () => Promise<string>
  readonly streamed: () => Promise<string>
}

const prompt = "Explain in one paragraph why a ledger must never count a request twice."

const apis: ReadonlyArray<Api> = [
  {
    name: "Gemini",
    rules: "google",
    model: "gemini-2.5-pro",
    whole: () =>
      post(
        `${emulator.geminiBaseUrl}/models/gemini-2.5-pro:generateContent`,
        { "x-goog-api-key": "test" },
        { contents: [{ role: "user", parts: [{ text: prompt }] }] },
      ),
    streamed: () =>
      post(
        `${emulator.geminiBaseUrl}/models/gemini-2.5-pro:streamGenerateContent?alt=sse`,
        { "x-goog-api-key": "test" },
        { contents: [{ role: "user", parts: [{ text: prompt }] }] },
      ),
  },
  {
    name: "Anthropic",
    rules: "anthropic",
    model: "claude-sonnet-4.5",
    whole: () =>
      post(
        `${emulator.anthropicBaseUrl}/messages`,
        { "x-api-key": "test", "anthropic-version": "2023-06-01" },
        {
          model: "claude-sonnet-4.5",
          max_tokens: 512,
          messages: [{ role: "user", content: prompt }],
        },
      ),
    streamed: () =>
      post(
        `${emulator.anthropicBaseUrl}/messages`,
        { "x-api-key": "test", "anthropic-version": "2023-06-01" },
        {
          model: "claude-sonnet-4.5",
          max_tokens: 512,
          stream: true,
          messages: [{ role: "user", content: prompt }],
        },
      ),
  },
  {
    name: "OpenAI-compatible (DeepSeek)",
    rules: "openai-style",
    model: "deepseek-v3.2",
    whole: () =>
      post(
        `${emulator.openaiBaseUrl}/chat/completions`,
        { authorization: "Bearer test" },
        { model: "deepseek-v3.2", messages: [{ role: "user", content: prompt }] },
      ),
    streamed: () =>
      post(
        `${emulator.openaiBaseUrl}/chat/completions`,
        { authorization: "Bearer test" },
        {
          model: "deepseek-v3.2",
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: "user", content: prompt }],
        },
      ),
  },
]

describe("a completion streamed and not", () => {
  it.each(apis)("costs the same through the $name API", async (api) => {
    const price = defaultPriceBook.get(api.model)
    const whole = usageOfBody(api.rules, JSON.parse(await api.whole()))
    const streamed = usageOfStream(api.rules, sseData(await api.streamed()))

    expect(price).toBeDefined()
    expect(whole).toBeDefined()
    expect(streamed).toEqual(whole)
    if (!price || !whole || !streamed) return

    const wholeCost = costOf(whole, price).nanoUsd
    expect(wholeCost).toBeGreaterThan(0n)
    expect(costOf(streamed, price).nanoUsd).toBe(wholeCost)
  })
})
