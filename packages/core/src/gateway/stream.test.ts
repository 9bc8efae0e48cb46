import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { StreamEvent } from "./api.ts"
import { toErrorResponse } from "./error-response.ts"
import { stream } from "./stream.ts"
import { jsonResponse } from "./testing/fake-http-client.ts"
import {
  chunkLine,
  gatewayFixture,
  sseThen,
  testContext,
  testModel,
  usageLine,
} from "./testing/gateway-fixture.ts"

const body = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  stream: true,
  messages: [{ role: "user", content: "Say hello." }],
  ...extra,
})

const fullAnswer = [
  chunkLine({ role: "assistant", content: "" }),
  chunkLine({ content: "Hello" }),
  chunkLine({ content: " there." }),
  chunkLine({}, "stop"),
  usageLine(10, 3),
]

const chunksOf = (events: ReadonlyArray<StreamEvent>) =>
  events.flatMap((e) => (e._tag === "Chunk" ? [e.chunk] : []))

describe("stream", () => {
  it.effect("forwards the usage chunk with its cost when the client asked for usage", () => {
    const fx = gatewayFixture([testModel(["a"])], () => sseThen(fullAnswer, "done"))
    return Effect.gen(function* () {
      const opened = yield* stream(body({ stream_options: { include_usage: true } }), testContext())
      const events = yield* Stream.runCollect(opened.events)
      const last = chunksOf(events).at(-1)
      assert.deepStrictEqual(last?.choices, [])
      assert.isAbove(last?.usage?.cost ?? 0, 0)
      assert.strictEqual(Number(fx.entries[0]?.costNanoUsd) / 1e9, last?.usage?.cost)
      assert.strictEqual(fx.entries[0]?.completionTokens, 3)
      const sent = fx.sent[0]?.body as { stream_options: unknown }
      assert.deepStrictEqual(sent.stream_options, { include_usage: true })
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("asks the upstream for usage but keeps it from a client that did not ask", () => {
    const fx = gatewayFixture([testModel(["a"])], () => sseThen(fullAnswer, "done"))
    return Effect.gen(function* () {
      const opened = yield* stream(body(), testContext())
      const chunks = chunksOf(yield* Stream.runCollect(opened.events))
      assert.isTrue(chunks.every((c) => c.usage == null))
      assert.strictEqual(
        chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""),
        "Hello there.",
      )
      const sent = (fx.sent[0]?.body ?? {}) as { stream_options?: unknown }
      assert.deepStrictEqual(sent.stream_options, { include_usage: true })
      assert.strictEqual(fx.entries[0]?.completionTokens, 3)
      assert.isAbove(Number(fx.entries[0]?.costNanoUsd), 0)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("falls back invisibly when a stream fails before its first content", () => {
    const fx = gatewayFixture([testModel(["a", "b"], { maxRetries: 0 })], (request) =>
      request.url.startsWith("http://a.")
        ? sseThen([chunkLine({ role: "assistant", content: "" })], "cut")
        : sseThen(fullAnswer, "done"),
    )
    return Effect.gen(function* () {
      const opened = yield* stream(body(), testContext())
      const events = yield* Stream.runCollect(opened.events)
      assert.isTrue(events.every((e) => e._tag === "Chunk"))
      assert.strictEqual(opened.headers["x-tollgate-deployment"], "gpt-4.1@b")
      assert.strictEqual(fx.sent.length, 2)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("ends a stream cut after its first chunks with an Error event, no second call", () => {
    const fx = gatewayFixture([testModel(["a", "b"])], () =>
      sseThen(
        [chunkLine({ role: "assistant", content: "" }), chunkLine({ content: "Hel" })],
        "cut",
      ),
    )
    return Effect.gen(function* () {
      const opened = yield* stream(body({ fallbacks: false }), testContext())
      const events = yield* Stream.runCollect(opened.events)
      const last = events.at(-1)
      assert.strictEqual(last?._tag, "Error")
      assert.strictEqual(chunksOf(events).length, 2)
      assert.strictEqual(fx.sent.length, 1)
      assert.strictEqual(fx.entries[0]?.status, 502)
      assert.isTrue(fx.entries[0]?.estimated)
      assert.isAbove(fx.entries[0]?.completionTokens ?? 0, 0)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("ends a stream that goes quiet with an idle-timeout Error event", () => {
    const fx = gatewayFixture([testModel(["a"], { idleTimeoutMs: 2_000 })], () =>
      sseThen([chunkLine({ content: "Hel" })], "hang"),
    )
    return Effect.gen(function* () {
      const opened = yield* stream(body(), testContext())
      const fiber = yield* Effect.forkChild(Stream.runCollect(opened.events))
      yield* TestClock.adjust(2_000)
      const events = yield* Fiber.join(fiber)
      const last = events.at(-1)
      assert.strictEqual(last?._tag, "Error")
      assert.strictEqual(last?._tag === "Error" ? last.body.error.code : "", "upstream_timeout")
      assert.strictEqual(fx.entries[0]?.status, 504)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("fails with 504 when no first token comes before the deadline", () => {
    const fx = gatewayFixture(
      [testModel(["a"], { deadlineMs: 3_000, firstTokenTimeoutMs: 10_000 })],
      () => sseThen([chunkLine({ role: "assistant", content: "" })], "hang"),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.exit(stream(body(), testContext())))
      yield* TestClock.adjust(3_000)
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const failure = Exit.isFailure(exit)
        ? exit.cause.reasons.find((r) => r._tag === "Fail")
        : undefined
      assert.strictEqual(failure?._tag === "Fail" ? toErrorResponse(failure.error).status : 0, 504)
      assert.strictEqual(fx.entries[0]?.status, 504)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("records 499 when the client stops reading", () => {
    const fx = gatewayFixture([testModel(["a"])], () =>
      sseThen([chunkLine({ content: "Hello" }), chunkLine({ content: " more" })], "hang"),
    )
    return Effect.gen(function* () {
      const opened = yield* stream(body(), testContext())
      yield* Stream.runCollect(Stream.take(opened.events, 1))
      assert.strictEqual(fx.entries[0]?.status, 499)
      assert.isTrue(fx.entries[0]?.estimated)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("surfaces an upstream 400 before the stream as an error status", () => {
    const fx = gatewayFixture([testModel(["a", "b"])], () =>
      jsonResponse({ error: { message: "bad", param: "tools" } }, 400),
    )
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(stream(body(), testContext()))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(fx.sent.length, 1)
    }).pipe(Effect.provide(fx.layer))
  })
})
