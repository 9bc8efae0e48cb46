import { assert, describe, it } from "@effect/vitest"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { Effect, Exit, Layer, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { afterAll, beforeAll, beforeEach } from "vitest"
import type { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import type { AdapterCall, RequestControls } from "../adapter.ts"
import { callFor, claude, deployment } from "./fake-anthropic.ts"
import { anthropicAdapter } from "./index.ts"

let emu: Emulator

beforeAll(async () => {
  emu = await startEmulator({ port: 0, ttftMs: 0, tokensPerSecond: 0 })
})
afterAll(() => emu.close())
beforeEach(() => emu.reset())

/** A call to the emulator's Anthropic endpoint, over real sockets. */
const emulated = (body: Record<string, unknown>, controls: Partial<RequestControls> = {}) => {
  const call = callFor(body, controls)
  const target = {
    ...deployment,
    baseUrl: emu.anthropicBaseUrl,
    upstreamModel: "claude-sonnet-4-5",
  }
  return { ...call, deployment: target, model: { ...claude, deployments: [target] } }
}

const fetchLayer = Layer.fresh(FetchHttpClient.layer)

const collect = (call: AdapterCall) =>
  Effect.gen(function* () {
    const opened = yield* anthropicAdapter.stream(call)
    return [...(yield* Stream.runCollect(opened.chunks))]
  })

const text = (chunks: ReadonlyArray<ChatCompletionChunk>) =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")

const failure = <A>(exit: Exit.Exit<A, GatewayError>): GatewayError => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason?._tag !== "Fail") throw new Error("expected a typed failure")
  return reason.error
}

const thinkingSent = (index: number) =>
  (emu.requests[index]?.body as { thinking?: unknown } | undefined)?.thinking

const weatherTool = {
  type: "function",
  function: {
    name: "weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}

describe("anthropic adapter against the emulator", () => {
  it.live("answers text, streamed and whole alike, with the same usage", () =>
    Effect.gen(function* () {
      const body = {
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
      }
      const whole = yield* anthropicAdapter.complete(emulated(body))
      const chunks = yield* collect(emulated({ ...body, stream: true }))

      const content = whole.response.choices[0]?.message.content ?? ""
      assert.isAbove(content.length, 0)
      assert.strictEqual(text(chunks), content)
      assert.strictEqual(whole.response.choices[0]?.finish_reason, "stop")
      assert.deepStrictEqual(chunks.at(-1)?.usage, whole.response.usage)
      assert.strictEqual(chunks.filter((chunk) => chunk.usage != null).length, 1)

      const sent = emu.requests[0]?.body as Record<string, unknown>
      assert.strictEqual(sent.system, "Be brief.")
      assert.strictEqual(sent.max_tokens, 8192)
      assert.strictEqual(emu.requests[0]?.headers["x-api-key"], "sk-ant-test")
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("completes a tool-call round trip", () =>
    Effect.gen(function* () {
      const question = { role: "user", content: "Weather in Oslo?" }
      const first = yield* anthropicAdapter.complete(
        emulated({ tools: [weatherTool], messages: [question] }),
      )
      const choice = first.response.choices[0]
      assert.strictEqual(choice?.finish_reason, "tool_calls")
      const call = choice?.message.tool_calls?.[0]
      assert.strictEqual(call?.function.name, "weather")
      assert.isString(JSON.parse(call?.function.arguments ?? "{}").city)

      const second = yield* anthropicAdapter.complete(
        emulated({
          tools: [weatherTool],
          messages: [
            question,
            choice?.message,
            { role: "tool", tool_call_id: call?.id, content: "3C and snowing" },
          ],
        }),
      )
      assert.strictEqual(second.response.choices[0]?.finish_reason, "stop")
      assert.isAbove((second.response.choices[0]?.message.content ?? "").length, 0)
      const sent = emu.requests[1]?.body as { messages: Array<{ content: Array<unknown> }> }
      assert.deepStrictEqual(sent.messages[2]?.content, [
        {
          type: "tool_result",
          tool_use_id: call?.id,
          content: [{ type: "text", text: "3C and snowing" }],
        },
      ])
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("streams a tool call whose assembled arguments are JSON", () =>
    Effect.gen(function* () {
      const chunks = yield* collect(emulated({ tools: [weatherTool], stream: true }))
      const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? [])
      const args = calls.map((call) => call.function?.arguments ?? "").join("")
      assert.isString(JSON.parse(args).city)
      assert.strictEqual(calls.filter((call) => call.id !== undefined).length, 1)
      const finish = chunks.flatMap((chunk) => chunk.choices.map((c) => c.finish_reason))
      assert.deepStrictEqual(
        finish.filter((reason) => reason !== null),
        ["tool_calls"],
      )
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("sends thinking disabled in speed mode and a budget for an effort", () =>
    Effect.gen(function* () {
      const fast = yield* anthropicAdapter.complete(emulated({}, { speed: true }))
      assert.deepStrictEqual(thinkingSent(0), { type: "disabled" })
      assert.strictEqual(fast.response.choices[0]?.message.reasoning_content, undefined)

      const slow = yield* anthropicAdapter.complete(
        emulated({}, { reasoningEffort: "low", includeReasoning: true }),
      )
      assert.deepStrictEqual(thinkingSent(1), {
        type: "enabled",
        budget_tokens: 2048,
      })
      assert.isAbove(slow.response.choices[0]?.message.reasoning_content?.length ?? 0, 0)
      assert.isAbove(slow.usage?.completionTokens ?? 0, fast.usage?.completionTokens ?? 0)
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("fails with a retryable provider error on a 529 overloaded answer", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "overloaded" }, { times: 1 })
      const error = failure(yield* Effect.exit(anthropicAdapter.complete(emulated({}))))
      assert.strictEqual(error.reason._tag, "ProviderError")
      assert.strictEqual(error.status, 529)
      assert.isTrue(error.isRetryable)
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("fails as rate limited with the delay the 429 asked for", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "rate-limit", retryAfterSeconds: 3 }, { times: 1 })
      const error = failure(yield* Effect.exit(anthropicAdapter.complete(emulated({}))))
      assert.deepStrictEqual(error.reason, { _tag: "RateLimited", retryAfterMs: 3000 })
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("answers a refusal as content_filter", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "blocked" }, { times: 1 })
      const result = yield* anthropicAdapter.complete(emulated({}))
      assert.strictEqual(result.response.choices[0]?.finish_reason, "content_filter")
    }).pipe(Effect.provide(fetchLayer)),
  )

  it.live("fails a stream cut mid-way instead of ending it as complete", () =>
    Effect.gen(function* () {
      emu.enqueueFault({ kind: "cut", afterChunks: 3 }, { times: 1 })
      const error = failure(yield* Effect.exit(collect(emulated({ stream: true }))))
      assert.strictEqual(error.reason._tag, "Network")
    }).pipe(Effect.provide(fetchLayer)),
  )
})
