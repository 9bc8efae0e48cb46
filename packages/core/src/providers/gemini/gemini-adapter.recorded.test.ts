import { assert, describe, expect, it } from "@effect/vitest"
import { readRecorded, recordedSse, requireShared } from "@tollgate/emulator/shared-fixtures"
import { Effect } from "effect"
import {
  fakeHttpClient,
  jsonResponse,
  sseResponse,
} from "../../gateway/testing/fake-http-client.ts"
import { geminiAdapter } from "./gemini-adapter.ts"
import { assemble, collect, geminiCall, noControls } from "./test-support.ts"

const hasShared = requireShared()

const upstream = "https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview"

const recordedJson = (name: string): unknown => JSON.parse(readRecorded(`google/${name}`))

/** The id key the adapter derives from a Gemini `responseId`. */
const key = (responseId: string) => responseId.replace(/[^A-Za-z0-9]/g, "")

const base64Url = (signature: string) =>
  signature.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

const usage = (prompt: number, completion: number, reasoning: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: reasoning },
})

const completeWith = (fixture: string, controls = noControls) => {
  const fake = fakeHttpClient(() => jsonResponse(recordedJson(fixture)))
  return geminiAdapter.complete(geminiCall({}, { controls })).pipe(
    Effect.provide(fake.layer),
    Effect.map((result) => ({ ...result, sent: fake.sent })),
  )
}

const streamWith = (fixture: string, controls = noControls) => {
  const fake = fakeHttpClient(() => sseResponse(recordedSse(`google/${fixture}`, { done: false })))
  return Effect.gen(function* () {
    const opened = yield* geminiAdapter.stream(geminiCall({}, { controls }))
    const chunks = yield* collect(opened.chunks)
    return { chunks, assembled: assemble(chunks), sent: fake.sent }
  }).pipe(Effect.provide(fake.layer))
}

describe.skipIf(!hasShared)("Gemini adapter on recorded answers", () => {
  it.effect("posts to generateContent with the key in x-goog-api-key", () =>
    Effect.gen(function* () {
      const { sent } = yield* completeWith("google-text.json")
      assert.strictEqual(sent.length, 1)
      expect(sent[0]?.url).toBe(`${upstream}:generateContent`)
      expect(sent[0]?.headers["x-goog-api-key"]).toBe("test-key")
      expect(sent[0]?.body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] })
    }),
  )

  it.effect("returns text with thinking tokens counted as completion tokens", () =>
    Effect.gen(function* () {
      const { response, usage: normalised } = yield* completeWith("google-text.json")
      expect(response.id).toBe("chatcmpl-Un6LacrVMcjUxs0PmJfWoQc")
      expect(response.choices).toEqual([
        {
          index: 0,
          message: {
            role: "assistant",
            content:
              "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
          },
          finish_reason: "stop",
          logprobs: null,
        },
      ])
      expect(response.usage).toEqual(usage(9, 28 + 244, 244))
      expect(normalised).toEqual({
        promptTokens: 9,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        completionTokens: 272,
        reasoningTokens: 244,
      })
    }),
  )

  it.effect("reports the usage of google-reasoning.json exactly", () =>
    Effect.gen(function* () {
      const { response } = yield* completeWith("google-reasoning.json")
      expect(response.choices[0]?.message.content).toBe(
        'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      )
      expect(response.choices[0]?.finish_reason).toBe("stop")
      expect(response.usage).toEqual(usage(9, 29 + 282, 282))
    }),
  )

  it.effect("reports the usage of google-reasoning-gemini3.json exactly", () =>
    Effect.gen(function* () {
      const { response } = yield* completeWith("google-reasoning-gemini3.json")
      expect(response.choices[0]?.message.content).toBe(
        'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      )
      expect(response.usage).toEqual(usage(9, 29 + 258, 258))
      expect(response.usage?.total_tokens).toBe(296)
    }),
  )

  for (const [fixture, responseId, thoughts] of [
    ["google-tool-call.json", "m36LaZGyCLz1xs0PtNSB-QU", 893],
    ["google-tool-call-gemini3.json", "JniLacKqGqH0xs0P0O776As", 1801],
  ] as const) {
    it.effect(`maps the function call of ${fixture} to tool_calls, signature in the id`, () =>
      Effect.gen(function* () {
        const recorded = recordedJson(fixture)
        const signature: string = (recorded as RecordedCall).candidates[0].content.parts[0]
          .thoughtSignature
        const { response } = yield* completeWith(fixture)
        expect(response.choices).toEqual([
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: `call_${key(responseId)}_0__ts_${base64Url(signature)}`,
                  type: "function",
                  function: { name: "weather", arguments: '{"location":"San Francisco"}' },
                },
              ],
            },
            finish_reason: "tool_calls",
            logprobs: null,
          },
        ])
        expect(response.usage).toEqual(usage(29, 15 + thoughts, thoughts))
        expect(response.usage?.total_tokens).toBe(29 + 15 + thoughts)
      }),
    )
  }

  it.effect("sends the thought signature back on the function call it came with", () =>
    Effect.gen(function* () {
      const first = yield* completeWith("google-tool-call-gemini3.json")
      const assistant = first.response.choices[0]?.message
      const toolCall = assistant?.tool_calls?.[0]
      assert.isDefined(toolCall)
      const recorded = recordedJson("google-tool-call-gemini3.json") as RecordedCall
      const signature = recorded.candidates[0].content.parts[0].thoughtSignature

      const fake = fakeHttpClient(() => jsonResponse(recordedJson("google-text.json")))
      yield* geminiAdapter
        .complete(
          geminiCall({
            messages: [
              { role: "user", content: "Weather in SF?" },
              { role: "assistant", content: null, tool_calls: [toolCall] },
              { role: "tool", tool_call_id: toolCall.id, content: '{"temperature":21}' },
            ],
          }),
        )
        .pipe(Effect.provide(fake.layer))

      expect(fake.sent[0]?.body).toMatchObject({
        contents: [
          { role: "user", parts: [{ text: "Weather in SF?" }] },
          {
            role: "model",
            parts: [
              {
                functionCall: { name: "weather", args: { location: "San Francisco" } },
                thoughtSignature: signature,
              },
            ],
          },
          {
            role: "user",
            parts: [{ functionResponse: { name: "weather", response: { temperature: 21 } } }],
          },
        ],
      })
    }),
  )

  it.effect("streams google-text.chunks.txt with one usage chunk from the last report", () =>
    Effect.gen(function* () {
      const { chunks, assembled, sent } = yield* streamWith("google-text.chunks.txt")
      expect(sent[0]?.url).toBe(`${upstream}:streamGenerateContent?alt=sse`)
      expect(assembled.content).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y')
      expect(assembled.finishReasons).toEqual(["stop"])
      expect(assembled.roles).toBe(1)
      expect(assembled.ids).toEqual(new Set(["chatcmpl-bH6LaZW8Fp3nsEPqtaSwQ4"]))
      expect(assembled.usageChunks).toHaveLength(1)
      expect(chunks.at(-1)?.choices).toEqual([])
      expect(chunks.at(-1)?.usage).toEqual(usage(9, 23 + 185, 185))
    }),
  )

  it.effect("streams google-reasoning.chunks.txt without summing usage", () =>
    Effect.gen(function* () {
      const { chunks, assembled } = yield* streamWith("google-reasoning.chunks.txt")
      expect(assembled.content).toBe(
        'There are **3** "r"s in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.',
      )
      expect(assembled.finishReasons).toEqual(["stop"])
      expect(chunks.at(-1)?.usage).toEqual(usage(9, 29 + 256, 256))
    }),
  )

  it.effect("streams google-reasoning-gemini3.chunks.txt", () =>
    Effect.gen(function* () {
      const { chunks, assembled } = yield* streamWith("google-reasoning-gemini3.chunks.txt")
      expect(assembled.content).toBe('There are **3** "r"s in strawberry.\n\nSt**r**awbe**rr**y')
      expect(assembled.finishReasons).toEqual(["stop"])
      expect(assembled.usageChunks).toHaveLength(1)
      expect(chunks.at(-1)?.usage).toEqual(usage(9, 23 + 302, 302))
      expect(chunks.at(-1)?.usage?.total_tokens).toBe(334)
    }),
  )

  for (const [fixture, responseId, thoughts] of [
    ["google-tool-call.chunks.txt", "b36LacjwM668nsEP2tbsgQQ", 45],
    ["google-tool-call-gemini3.chunks.txt", "QHiLaa6LBrb8vdIPoNztsAg", 804],
  ] as const) {
    it.effect(`streams the tool call of ${fixture} with a stable id`, () =>
      Effect.gen(function* () {
        const first = JSON.parse(readRecorded(`google/${fixture}`).split("\n")[0] ?? "")
        const signature: string = (first as RecordedCall).candidates[0].content.parts[0]
          .thoughtSignature
        const { chunks, assembled } = yield* streamWith(fixture)
        expect(assembled.toolCalls).toEqual([
          {
            id: `call_${key(responseId)}_0__ts_${base64Url(signature)}`,
            name: "weather",
            arguments: '{"location":"San Francisco"}',
          },
        ])
        expect(assembled.content).toBe("")
        expect(assembled.finishReasons).toEqual(["tool_calls"])
        expect(assembled.usageChunks).toHaveLength(1)
        expect(chunks.at(-1)?.usage).toEqual(usage(29, 15 + thoughts, thoughts))
      }),
    )
  }

  it.effect("assembles streamed partialArgs of google-stream-tool-call-arguments", () =>
    Effect.gen(function* () {
      const { chunks, assembled } = yield* streamWith(
        "google-stream-tool-call-arguments.chunks.txt",
      )
      const k = key("dqHOab6xGLzWodAPkPuViA4")
      expect(assembled.toolCalls.map(({ name, arguments: a }) => ({ name, a }))).toEqual([
        { name: "getWeather", a: '{"location":"Boston"}' },
        { name: "getWeather", a: '{"location":"San Francisco"}' },
      ])
      expect(assembled.toolCalls[0]?.id.startsWith(`call_${k}_0__ts_`)).toBe(true)
      expect(assembled.toolCalls[1]?.id).toBe(`call_${k}_1`)
      expect(assembled.finishReasons).toEqual(["tool_calls"])
      expect(chunks.at(-1)?.usage).toEqual(usage(26, 23 + 132, 132))
    }),
  )

  it.effect("streams calls without arguments and hides thoughts unless asked", () =>
    Effect.gen(function* () {
      const { chunks, assembled } = yield* streamWith("google-stream-no-args-tool-call.chunks.txt")
      const k = key("_vr4aYiWEJnYodAPkujX0QM")
      expect(assembled.toolCalls.map(({ name, arguments: a }) => ({ name, a }))).toEqual([
        { name: "read_theme", a: "{}" },
        { name: "read_screen", a: '{"id":"A"}' },
        { name: "read_screen", a: '{"id":"B"}' },
        { name: "read_screen", a: '{"id":"C"}' },
      ])
      expect(assembled.toolCalls.slice(1).map((c) => c.id)).toEqual([
        `call_${k}_1`,
        `call_${k}_2`,
        `call_${k}_3`,
      ])
      expect(assembled.reasoning).toBe("")
      expect(assembled.content).toBe("")
      expect(assembled.finishReasons).toEqual(["tool_calls"])
      expect(chunks.at(-1)?.usage).toEqual(usage(249, 58 + 183, 183))
    }),
  )

  it.effect("returns thought text as reasoning_content when reasoning is asked for", () =>
    Effect.gen(function* () {
      const { assembled } = yield* streamWith("google-stream-no-args-tool-call.chunks.txt", {
        speed: false,
        includeReasoning: true,
      })
      expect(assembled.reasoning.startsWith("**Processing User Requests**\n\n")).toBe(true)
      expect(assembled.content).toBe("")
    }),
  )

  it.effect("turns the recorded 429 with RetryInfo into a rate limit with its delay", () =>
    Effect.gen(function* () {
      const fake = fakeHttpClient(() =>
        jsonResponse(recordedJson("google-429-retry-info.json"), 429),
      )
      const error = yield* geminiAdapter
        .complete(geminiCall({}))
        .pipe(Effect.provide(fake.layer), Effect.flip)
      expect(error.reason).toEqual({ _tag: "RateLimited", retryAfterMs: 34_400 })
      expect(error.isRetryable).toBe(true)
      expect(error.status).toBe(429)
      expect(error.message).toBe("You exceeded your current quota, please check your plan.")
    }),
  )
})

/** The shape of a recorded function-call answer, as far as the tests read it. */
interface RecordedCall {
  readonly candidates: readonly [
    { readonly content: { readonly parts: readonly [{ readonly thoughtSignature: string }] } },
  ]
}
