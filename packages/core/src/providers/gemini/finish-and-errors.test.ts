import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  fakeHttpClient,
  jsonResponse,
  sseResponse,
} from "../../gateway/testing/fake-http-client.ts"
import { geminiAdapter } from "./gemini-adapter.ts"
import { assemble, collect, geminiCall } from "./test-support.ts"

const usageMetadata = { promptTokenCount: 12, candidatesTokenCount: 3 }

const candidate = (finishReason: string, parts: ReadonlyArray<unknown> = [{ text: "Hi" }]) => ({
  content: { role: "model", parts },
  finishReason,
  index: 0,
})

const complete = (answer: Response) => {
  const fake = fakeHttpClient(() => answer)
  return geminiAdapter.complete(geminiCall({})).pipe(Effect.provide(fake.layer))
}

const sse = (events: ReadonlyArray<unknown>) =>
  sseResponse(events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join(""))

const stream = (answer: Response) => {
  const fake = fakeHttpClient(() => answer)
  return Effect.gen(function* () {
    const opened = yield* geminiAdapter.stream(geminiCall({}))
    return yield* collect(opened.chunks)
  }).pipe(Effect.provide(fake.layer))
}

describe("Gemini finish reasons and failures", () => {
  for (const [reason, finish] of [
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["RECITATION", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["IMAGE_SAFETY", "content_filter"],
  ] as const) {
    it.effect(`maps ${reason} to ${finish}`, () =>
      Effect.gen(function* () {
        const { response } = yield* complete(
          jsonResponse({ candidates: [candidate(reason)], usageMetadata }),
        )
        expect(response.choices[0]?.finish_reason).toBe(finish)
      }),
    )
  }

  it.effect("fails MALFORMED_FUNCTION_CALL as invalid output, never an empty success", () =>
    Effect.gen(function* () {
      const error = yield* complete(
        jsonResponse({
          candidates: [
            { ...candidate("MALFORMED_FUNCTION_CALL", []), finishMessage: "bad call syntax" },
          ],
          usageMetadata,
        }),
      ).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "InvalidOutput" })
      expect(error.message).toBe("Gemini finished with MALFORMED_FUNCTION_CALL: bad call syntax")
    }),
  )

  it.effect("answers a prompt blocked before any candidate with content_filter", () =>
    Effect.gen(function* () {
      const { response, usage } = yield* complete(
        jsonResponse({
          promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
          usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
        }),
      )
      expect(response.choices).toEqual([
        {
          index: 0,
          message: { role: "assistant", content: null },
          finish_reason: "content_filter",
          logprobs: null,
        },
      ])
      expect(usage).toEqual({
        promptTokens: 8,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        completionTokens: 0,
        reasoningTokens: 0,
      })
    }),
  )

  it.effect("keeps cached tokens inside prompt_tokens", () =>
    Effect.gen(function* () {
      const { response } = yield* complete(
        jsonResponse({
          candidates: [candidate("STOP")],
          usageMetadata: {
            promptTokenCount: 1000,
            cachedContentTokenCount: 600,
            candidatesTokenCount: 5,
          },
        }),
      )
      expect(response.usage).toEqual({
        prompt_tokens: 1000,
        completion_tokens: 5,
        total_tokens: 1005,
        prompt_tokens_details: { cached_tokens: 600 },
        completion_tokens_details: { reasoning_tokens: 0 },
      })
    }),
  )

  it.effect("leaves usage unknown when Gemini reported none", () =>
    Effect.gen(function* () {
      const result = yield* complete(jsonResponse({ candidates: [candidate("STOP")] }))
      expect(result.usage).toBeUndefined()
      expect(result.response.usage).toBeUndefined()
    }),
  )

  it.effect("returns every candidate for n > 1 with distinct tool call ids", () =>
    Effect.gen(function* () {
      const call = { functionCall: { name: "f", args: { a: 1 } } }
      const { response } = yield* complete(
        jsonResponse({
          responseId: "r1",
          candidates: [
            { ...candidate("STOP", [call]), index: 0 },
            { ...candidate("STOP", [call]), index: 1 },
          ],
          usageMetadata,
        }),
      )
      expect(response.choices.map((c) => c.message.tool_calls?.[0]?.id)).toEqual([
        "call_r1_0",
        "call_r1_1",
      ])
      expect(response.choices.map((c) => c.index)).toEqual([0, 1])
    }),
  )

  it.effect("ends a stream of a blocked prompt with content_filter and its usage", () =>
    Effect.gen(function* () {
      const chunks = yield* stream(
        sse([
          { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 4 } },
        ]),
      )
      const assembled = assemble(chunks)
      expect(assembled.finishReasons).toEqual(["content_filter"])
      expect(assembled.content).toBe("")
      expect(chunks.at(-1)?.usage?.prompt_tokens).toBe(4)
    }),
  )

  it.effect("fails a stream whose candidate ends in MALFORMED_FUNCTION_CALL", () =>
    Effect.gen(function* () {
      const error = yield* stream(
        sse([
          { candidates: [{ content: { parts: [{ text: "Let me" }] } }] },
          { candidates: [candidate("MALFORMED_FUNCTION_CALL", [])], usageMetadata },
        ]),
      ).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "InvalidOutput" })
    }),
  )

  it.effect("fails a stream that stops before a finish reason instead of looking complete", () =>
    Effect.gen(function* () {
      const error = yield* stream(
        sse([{ candidates: [{ content: { parts: [{ text: "Half" }] } }], usageMetadata }]),
      ).pipe(Effect.flip)
      expect(error.reason._tag).toBe("ProviderError")
    }),
  )

  it.effect("fails a stream on an error event with Google's message", () =>
    Effect.gen(function* () {
      const error = yield* stream(
        sse([
          { candidates: [{ content: { parts: [{ text: "Hal" }] } }] },
          { error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } },
        ]),
      ).pipe(Effect.flip)
      expect(error.reason._tag).toBe("ProviderError")
      expect(error.message).toBe("The model is overloaded.")
    }),
  )

  it.effect("fails the attempt before the stream opens when Gemini answers 400", () =>
    Effect.gen(function* () {
      const error = yield* stream(
        jsonResponse(
          { error: { code: 400, message: 'Unknown name "foo"', status: "INVALID_ARGUMENT" } },
          400,
        ),
      ).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "BadRequest" })
      expect(error.message).toBe('Unknown name "foo"')
      expect(error.deployment).toBe("gemini-3-pro@google")
    }),
  )

  it.effect("reports a connection failure as a retryable network error", () =>
    Effect.gen(function* () {
      const fake = fakeHttpClient(() => "reset")
      const error = yield* geminiAdapter
        .complete(geminiCall({}))
        .pipe(Effect.provide(fake.layer), Effect.flip)
      expect(error.reason).toEqual({ _tag: "Network" })
      expect(error.isRetryable).toBe(true)
    }),
  )
})
