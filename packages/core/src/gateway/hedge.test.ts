import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { stream } from "./stream.ts"
import {
  chunkLine,
  gatewayFixture,
  sseThen,
  testContext,
  testModel,
  usageLine,
} from "./testing/gateway-fixture.ts"

const body = { model: "gpt-4.1", stream: true, messages: [{ role: "user", content: "Hi." }] }
const answer = [chunkLine({ content: "Hello" }), chunkLine({}, "stop"), usageLine(10, 1)]

describe("hedging", () => {
  it.effect(
    "races a second deployment after the threshold; the first token wins, the other is aborted",
    () => {
      const fx = gatewayFixture(
        [testModel(["a", "b"], { hedge: { afterMs: 1_000 } })],
        (request) =>
          request.url.startsWith("http://a.")
            ? sseThen([chunkLine({ role: "assistant", content: "" })], "hang")
            : sseThen(answer, "done"),
      )
      return Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(stream(body, testContext()))
        yield* TestClock.adjust(999)
        assert.strictEqual(fx.sent.length, 1, "hedged too early")
        yield* TestClock.adjust(1)
        const opened = yield* Fiber.join(fiber)
        yield* Stream.runDrain(opened.events)

        assert.strictEqual(opened.headers["x-tollgate-deployment"], "gpt-4.1@b")
        assert.isTrue(fx.sent[0]?.signal.aborted, "the losing call was not aborted")
        const [main, hedge] = fx.entries
        assert.strictEqual(main?.deploymentId, "gpt-4.1@b")
        assert.strictEqual(main?.status, 200)
        assert.strictEqual(hedge?.deploymentId, "gpt-4.1@a")
        assert.strictEqual(hedge?.status, 499)
        assert.isAbove(Number(hedge?.costNanoUsd), 0)
      }).pipe(Effect.provide(fx.layer))
    },
  )

  it.effect("starts no hedge when the first deployment answers in time", () => {
    const fx = gatewayFixture([testModel(["a", "b"], { hedge: { afterMs: 1_000 } })], () =>
      sseThen(answer, "done"),
    )
    return Effect.gen(function* () {
      const opened = yield* stream(body, testContext())
      yield* Stream.runDrain(opened.events)
      yield* TestClock.adjust(5_000)
      assert.strictEqual(fx.sent.length, 1)
      assert.strictEqual(fx.entries.length, 1)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("starts the hedge at once when the first deployment fails before the threshold", () => {
    const fx = gatewayFixture(
      [testModel(["a", "b"], { hedge: { afterMs: 10_000 }, maxRetries: 0 })],
      (request) =>
        request.url.startsWith("http://a.")
          ? new Response("{}", { status: 500 })
          : sseThen(answer, "done"),
    )
    return Effect.gen(function* () {
      const opened = yield* stream(body, testContext())
      assert.strictEqual(opened.headers["x-tollgate-deployment"], "gpt-4.1@b")
      assert.strictEqual(fx.sent.length, 2)
    }).pipe(Effect.provide(fx.layer))
  })
})
