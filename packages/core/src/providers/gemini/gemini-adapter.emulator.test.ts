import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { Effect, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import type { ModelInfo } from "../../catalog/types.ts"
import type { ChatRequest } from "../../openai/chat-schemas.ts"
import type { AdapterCall, RequestControls } from "../adapter.ts"
import { geminiAdapter } from "./gemini-adapter.ts"
import {
  assemble,
  collect,
  gemini3Flash,
  gemini3Pro,
  gemini25Pro,
  geminiCall,
  noControls,
} from "./test-support.ts"
import { signatureFromId } from "./tool-call-id.ts"

/** The adapter over real loopback HTTP against the emulator's Gemini API. */

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ port: 0 })
})
afterAll(async () => {
  await emu.close()
})
beforeEach(() => {
  emu.reset()
})

const call = (
  upstreamModel: string,
  request: Partial<ChatRequest>,
  options: { readonly model?: ModelInfo; readonly controls?: RequestControls } = {},
): AdapterCall => {
  const base = geminiCall(request, options)
  return {
    ...base,
    deployment: {
      ...base.deployment,
      upstreamModel,
      baseUrl: emu.geminiBaseUrl,
      apiKey: Redacted.make("emu-key"),
    },
  }
}

const weatherTool: NonNullable<ChatRequest["tools"]>[number] = {
  type: "function",
  function: {
    name: "weather",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    },
  },
}

const body = (index: number): Record<string, unknown> => {
  const value = emu.requests[index]?.body
  return typeof value === "object" && value !== null ? { ...value } : {}
}

describe("Gemini adapter against the emulator", () => {
  it.effect("completes text and reports usage, sending the key in x-goog-api-key", () =>
    Effect.gen(function* () {
      const { response, usage } = yield* geminiAdapter.complete(
        call("gemini-2.5-flash", { messages: [{ role: "user", content: "Say hello" }] }),
      )
      expect(response.choices[0]?.message.content).toMatch(/\S/)
      expect(response.choices[0]?.finish_reason).toBe("stop")
      expect(usage?.promptTokens).toBeGreaterThan(0)
      expect(emu.requests[0]?.headers["x-goog-api-key"]).toBe("emu-key")
      expect(emu.requests[0]?.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent")
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("streams the same text as the whole answer, with one usage chunk", () =>
    Effect.gen(function* () {
      const request = { messages: [{ role: "user" as const, content: "Tell me a story" }] }
      const whole = yield* geminiAdapter.complete(call("gemini-2.5-flash", request))
      const opened = yield* geminiAdapter.stream(call("gemini-2.5-flash", request))
      const chunks = yield* collect(opened.chunks)
      const assembled = assemble(chunks)
      expect(assembled.content).toBe(whole.response.choices[0]?.message.content)
      expect(assembled.finishReasons).toEqual(["stop"])
      expect(assembled.usageChunks).toHaveLength(1)
      expect(chunks.at(-1)?.usage).toEqual(whole.response.usage)
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("carries a Gemini 3 thought signature through a tool-call round trip", () =>
    Effect.gen(function* () {
      const messages: ChatRequest["messages"] = [{ role: "user", content: "Weather in Oslo?" }]
      const first = yield* geminiAdapter.complete(
        call("gemini-3-pro-preview", { messages, tools: [weatherTool] }),
      )
      const toolCall = first.response.choices[0]?.message.tool_calls?.[0]
      expect(first.response.choices[0]?.finish_reason).toBe("tool_calls")
      expect(toolCall?.function.name).toBe("weather")
      const signature = signatureFromId(toolCall?.id ?? "")
      expect(signature).toBeDefined()

      const second = yield* geminiAdapter.complete(
        call("gemini-3-pro-preview", {
          tools: [weatherTool],
          messages: [
            ...messages,
            { role: "assistant", content: null, tool_calls: toolCall ? [toolCall] : [] },
            { role: "tool", tool_call_id: toolCall?.id ?? "", content: '{"temp":3}' },
          ],
        }),
      )
      expect(second.response.choices[0]?.finish_reason).toBe("stop")
      expect(body(1).contents).toMatchObject([
        {},
        { role: "model", parts: [{ thoughtSignature: signature }] },
        { role: "user", parts: [{ functionResponse: { name: "weather" } }] },
      ])
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("sends an image as inline data the emulator accepts", () =>
    Effect.gen(function* () {
      const { response } = yield* geminiAdapter.complete(
        call("gemini-2.5-flash", {
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "What is this?" },
                { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              ],
            },
          ],
        }),
      )
      expect(response.choices[0]?.finish_reason).toBe("stop")
      expect(body(0).contents).toMatchObject([
        { parts: [{}, { inlineData: { mimeType: "image/png" } }] },
      ])
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("speed mode: 2.5 Pro thinks its minimum, 3 Flash thinks minimally", () =>
    Effect.gen(function* () {
      const speed: RequestControls = { speed: true, includeReasoning: false }
      const pro = yield* geminiAdapter.complete(
        call("gemini-2.5-pro", {}, { model: gemini25Pro, controls: speed }),
      )
      const flash = yield* geminiAdapter.complete(
        call("gemini-3.1-flash", {}, { model: gemini3Flash, controls: speed }),
      )
      expect(body(0).generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 128 } })
      expect(body(1).generationConfig).toEqual({ thinkingConfig: { thinkingLevel: "minimal" } })
      expect(pro.usage?.reasoningTokens).toBeLessThanOrEqual(128)
      expect(flash.usage?.reasoningTokens).toBe(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("turns the emulator's RetryInfo 429 into a rate limit with its delay", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "rate-limit", retryAfterSeconds: 3 })
      const error = yield* geminiAdapter.complete(call("gemini-2.5-flash", {})).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "RateLimited", retryAfterMs: 3000 })
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("treats the emulator's used-up daily quota as not retryable", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "quota" })
      const error = yield* geminiAdapter.complete(call("gemini-2.5-flash", {})).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "QuotaExhausted" })
      expect(error.isRetryable).toBe(false)
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("answers a blocked prompt with content_filter, streamed and not", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "blocked" }, { times: 2 })
      const whole = yield* geminiAdapter.complete(call("gemini-2.5-flash", {}))
      expect(whole.response.choices[0]?.finish_reason).toBe("content_filter")
      const opened = yield* geminiAdapter.stream(call("gemini-2.5-flash", {}))
      expect(assemble(yield* collect(opened.chunks)).finishReasons).toEqual(["content_filter"])
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("fails a malformed function call as invalid output", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "malformed-tool-call" })
      const error = yield* geminiAdapter
        .complete(call("gemini-3-pro-preview", { tools: [weatherTool] }, { model: gemini3Pro }))
        .pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "InvalidOutput" })
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )

  it.effect("reports a wrong key as an authentication failure", () =>
    Effect.gen(function* () {
      const base = call("gemini-2.5-flash", {}, { controls: noControls })
      const { apiKey: _key, ...noKey } = base.deployment
      const error = yield* geminiAdapter.complete({ ...base, deployment: noKey }).pipe(Effect.flip)
      expect(error.reason._tag).toBe("Authentication")
    }).pipe(Effect.provide(FetchHttpClient.layer)),
  )
})
