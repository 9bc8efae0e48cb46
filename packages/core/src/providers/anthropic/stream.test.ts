import { assert, describe, it } from "@effect/vitest"
import { requireShared } from "@tollgate/emulator/shared-fixtures"
import { Effect, Exit, Stream } from "effect"
import type { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import type { AdapterCall } from "../adapter.ts"
import { callFor, fakeAnthropic, recordedAnthropicSse, sse, toSse } from "./fake-anthropic.ts"
import { anthropicAdapter } from "./index.ts"

const shared = requireShared()

/** Everything a client would assemble from the chunks. */
const assemble = (chunks: ReadonlyArray<ChatCompletionChunk>) => {
  const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta))
  const calls = new Map<number, { id: string; name: string; arguments: string }>()
  for (const delta of deltas)
    for (const call of delta.tool_calls ?? []) {
      const seen = calls.get(call.index) ?? { id: "", name: "", arguments: "" }
      calls.set(call.index, {
        id: seen.id + (call.id ?? ""),
        name: seen.name + (call.function?.name ?? ""),
        arguments: seen.arguments + (call.function?.arguments ?? ""),
      })
    }
  const usageChunks = chunks.filter((chunk) => chunk.usage != null)
  return {
    content: deltas.map((delta) => delta.content ?? "").join(""),
    reasoning: deltas.map((delta) => delta.reasoning_content ?? "").join(""),
    toolCalls: [...calls.values()],
    finishReasons: chunks.flatMap((chunk) => chunk.choices.map((c) => c.finish_reason)),
    usageChunks,
    last: chunks.at(-1),
  }
}

const streamed = (call: AdapterCall, body: string) => {
  const upstream = fakeAnthropic(() => sse(body))
  return Effect.gen(function* () {
    const opened = yield* anthropicAdapter.stream(call)
    const chunks = yield* Stream.runCollect(opened.chunks)
    return { chunks: [...chunks], sent: upstream.sent, warnings: opened.warnings }
  }).pipe(Effect.provide(upstream.layer))
}

const usage = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
})

describe.skipIf(!shared)("anthropic stream, recorded payloads", () => {
  it.effect("streams recorded text and ends with one usage chunk", () =>
    Effect.gen(function* () {
      const { chunks, sent } = yield* streamed(callFor({}), recordedAnthropicSse("anthropic-text"))
      const out = assemble(chunks)
      assert.strictEqual(
        out.content,
        "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything " +
          "I can help you with?",
      )
      assert.deepStrictEqual(
        out.finishReasons.filter((r) => r !== null),
        ["stop"],
      )
      assert.strictEqual(out.usageChunks.length, 1)
      assert.deepStrictEqual(out.last?.choices, [])
      assert.deepStrictEqual(out.last?.usage, usage(12, 30))
      assert.strictEqual(chunks[0]?.choices[0]?.delta.role, "assistant")
      assert.isTrue(chunks.every((chunk) => chunk.id === "msg_01QC4g3HwBThD4BaNtBckFDJ"))
      assert.strictEqual((sent[0]?.body as { stream?: boolean } | undefined)?.stream, true)
    }),
  )

  it.effect("takes the last report of each counter when message_delta repeats input_tokens", () =>
    Effect.gen(function* () {
      const body = recordedAnthropicSse("anthropic-message-delta-input-tokens")
      const { chunks } = yield* streamed(callFor({}), body)
      const base = {
        id: "msg_3196a1cc08de4d76b85b8f5777c0d42b",
        object: "chat.completion.chunk" as const,
        created: 0,
        model: "claude-sonnet-4.5",
      }
      assert.deepStrictEqual(chunks, [
        {
          ...base,
          choices: [{ index: 0, delta: { role: "assistant", content: "p" }, finish_reason: null }],
        },
        { ...base, choices: [{ index: 0, delta: { content: "ong" }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
        // 61 from message_delta replaces 43 from message_start; never 104.
        { ...base, choices: [], usage: usage(61, 2) },
      ])
    }),
  )

  it.effect("streams a tool call with a stable id and argument fragments", () =>
    Effect.gen(function* () {
      const body = recordedAnthropicSse("anthropic-json-tool.1")
      const { chunks } = yield* streamed(callFor({}), body)
      const out = assemble(chunks)
      assert.deepStrictEqual(out.toolCalls, [
        {
          id: "toolu_01KFbKqPYSuAKujiL6mTfzYA",
          name: "json",
          arguments:
            '{"elements": [{"location": "San Francisco", ' +
            '"temperature": 58, "condition": "sunny"}]}',
        },
      ])
      const ids = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((t) => t.id)
      assert.deepStrictEqual(
        ids.filter((id) => id !== undefined),
        ["toolu_01KFbKqPYSuAKujiL6mTfzYA"],
      )
      assert.deepStrictEqual(
        out.finishReasons.filter((r) => r !== null),
        ["tool_calls"],
      )
      assert.strictEqual(out.content, "")
      assert.deepStrictEqual(out.last?.usage, usage(849, 47))
    }),
  )

  it.effect("streams the forced json tool's input as content under response_format", () =>
    Effect.gen(function* () {
      const body = recordedAnthropicSse("anthropic-json-tool.1")
      const format = { type: "json_object" }
      const { chunks } = yield* streamed(callFor({ response_format: format }), body)
      const out = assemble(chunks)
      assert.deepStrictEqual(JSON.parse(out.content), {
        elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }],
      })
      assert.deepStrictEqual(out.toolCalls, [])
      assert.deepStrictEqual(
        out.finishReasons.filter((r) => r !== null),
        ["stop"],
      )
    }),
  )

  it.effect("streams text then an argument-less tool call whose arguments are {}", () =>
    Effect.gen(function* () {
      const body = recordedAnthropicSse("anthropic-tool-no-args")
      const { chunks } = yield* streamed(callFor({}), body)
      const out = assemble(chunks)
      assert.strictEqual(out.content, "I'll update the issue list for you.")
      assert.deepStrictEqual(out.toolCalls, [
        { id: "toolu_01QE1WLsSVp5hy5Q3GmGTmjP", name: "updateIssueList", arguments: "{}" },
      ])
      assert.deepStrictEqual(
        out.finishReasons.filter((r) => r !== null),
        ["tool_calls"],
      )
      assert.deepStrictEqual(out.last?.usage, usage(565, 48))
    }),
  )

  it.effect("streams thinking as reasoning_content and its signature when asked", () =>
    Effect.gen(function* () {
      const body = recordedAnthropicSse("anthropic-clear-thinking.1")
      const controls = { reasoningEffort: "low", includeReasoning: true }
      const { chunks } = yield* streamed(callFor({}, controls), body)
      const out = assemble(chunks)
      assert.strictEqual(
        out.reasoning,
        "The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185",
      )
      assert.strictEqual(out.content, "925 ÷ 5 = 185")
      const details = chunks.flatMap(
        (c) => (c.choices[0]?.delta.reasoning_details ?? []) as Array<Record<string, unknown>>,
      )
      assert.strictEqual(details.length, 1)
      assert.strictEqual(details[0]?.type, "reasoning.text")
      assert.isTrue(String(details[0]?.signature).startsWith("EvQBCkYICxgCKkAxhD4N"))
      assert.deepStrictEqual(out.last?.usage, usage(69, 53))
    }),
  )

  it.effect("streams no thinking when the client did not ask for reasoning", () =>
    Effect.gen(function* () {
      const body = recordedAnthropicSse("anthropic-clear-thinking.1")
      const { chunks } = yield* streamed(callFor({}), body)
      const out = assemble(chunks)
      assert.strictEqual(out.reasoning, "")
      assert.strictEqual(out.content, "925 ÷ 5 = 185")
      assert.isFalse(chunks.some((c) => c.choices[0]?.delta.reasoning_details !== undefined))
    }),
  )
})

const start = JSON.stringify({
  type: "message_start",
  message: { id: "msg_1", model: "claude", usage: { input_tokens: 5, output_tokens: 1 } },
})
const text = (index: number, value: string) => [
  JSON.stringify({ type: "content_block_start", index, content_block: { type: "text", text: "" } }),
  JSON.stringify({
    type: "content_block_delta",
    index,
    delta: { type: "text_delta", text: value },
  }),
]

const failure = (exit: Exit.Exit<unknown, GatewayError>): GatewayError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure")
  return reason.error
}

describe("anthropic stream, failures", () => {
  it.effect("fails with a retryable provider error on an overloaded error event", () =>
    Effect.gen(function* () {
      const error = JSON.stringify({
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      })
      const exit = yield* Effect.exit(
        streamed(callFor({}), toSse([start, ...text(0, "Hi"), error])),
      )
      const gatewayError = failure(exit)
      assert.strictEqual(gatewayError.reason._tag, "ProviderError")
      assert.isTrue(gatewayError.isRetryable)
      assert.include(gatewayError.message, "Overloaded")
    }),
  )

  it.effect("fails rather than ending quietly when the stream is cut before message_stop", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(streamed(callFor({}), toSse([start, ...text(0, "Hi")])))
      assert.strictEqual(failure(exit).reason._tag, "Network")
    }),
  )

  it.effect("fails with invalid output on an event that is not JSON", () =>
    Effect.gen(function* () {
      const body = `${toSse([start])}event: content_block_delta\ndata: {not json\n\n`
      const exit = yield* Effect.exit(streamed(callFor({}), body))
      assert.strictEqual(failure(exit).reason._tag, "InvalidOutput")
    }),
  )

  it.effect("skips event types it does not know", () =>
    Effect.gen(function* () {
      const stop = [
        JSON.stringify({ type: "content_block_stop", index: 0 }),
        JSON.stringify({ type: "some_future_event", detail: 1 }),
        JSON.stringify({ type: "message_delta", delta: { stop_reason: "max_tokens" } }),
        JSON.stringify({ type: "message_stop" }),
      ]
      const { chunks } = yield* streamed(callFor({}), toSse([start, ...text(0, "Hi"), ...stop]))
      const out = assemble(chunks)
      assert.strictEqual(out.content, "Hi")
      assert.deepStrictEqual(
        out.finishReasons.filter((r) => r !== null),
        ["length"],
      )
      assert.deepStrictEqual(out.last?.usage, usage(5, 1))
    }),
  )
})
