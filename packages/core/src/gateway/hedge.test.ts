import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Router } from "../routing/router.ts"
import { complete } from "./complete.ts"
import { stream } from "./stream.ts"
import { jsonResponse } from "./testing/fake-http-client.ts"
import {
  chunkLine,
  completionBody,
  gatewayFixture,
  sseThen,
  testContext,
  testModel,
  usageLine,
} from "./testing/gateway-fixture.ts"

const body = { model: "gpt-4.1", stream: true, messages: [{ role: "user", content: "Hi." }] }
const completionRequest = { model: "gpt-4.1", messages: [{ role: "user", content: "Hi." }] }
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
      yield* Stream.runDrain(opened.events)
      assert.strictEqual(opened.headers["x-tollgate-deployment"], "gpt-4.1@b")
      assert.strictEqual(fx.sent.length, 2)
      // The failed first attempt is an ordinary failure, not a hedge billed for its prompt:
      assert.deepStrictEqual(
        fx.entries.map((e) => e.deploymentId),
        ["gpt-4.1@b"],
      )
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("never hedges a request the first deployment refused as bad (a 400)", () => {
    const fx = gatewayFixture(
      [testModel(["a", "b"], { hedge: { afterMs: 1_000 }, maxRetries: 0 })],
      () => jsonResponse({ error: { message: "bad tools", param: "tools" } }, 400),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.exit(stream(body, testContext())))
      yield* TestClock.adjust(5_000)
      assert.isTrue(Exit.isFailure(yield* Fiber.join(fiber)))
      assert.strictEqual(fx.sent.length, 1)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect(
    "hedges a slow non-streaming answer: the first answer wins, the other is aborted",
    () => {
      const fx = gatewayFixture([testModel(["a", "b"], { hedge: { afterMs: 200 } })], (request) =>
        request.url.startsWith("http://a.") ? Effect.never : jsonResponse(completionBody()),
      )
      return Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(complete(completionRequest, testContext()))
        yield* TestClock.adjust(199)
        assert.strictEqual(fx.sent.length, 1, "hedged too early")
        yield* TestClock.adjust(1)
        const outcome = yield* Fiber.join(fiber)

        assert.strictEqual(outcome.headers["x-tollgate-deployment"], "gpt-4.1@b")
        assert.isTrue(fx.sent[0]?.signal.aborted, "the losing call was not aborted")
        // Both attempts are in the ledger: the answer, and the aborted hedge's prompt.
        const [main, hedge] = fx.entries
        assert.strictEqual(main?.deploymentId, "gpt-4.1@b")
        assert.strictEqual(hedge?.deploymentId, "gpt-4.1@a")
        assert.strictEqual(hedge?.status, 499)
        assert.isAbove(Number(hedge?.costNanoUsd), 0)
        // Neither slot is left taken:
        const router = yield* Router
        assert.strictEqual((yield* router.health("gpt-4.1@a")).inFlight, 0)
        assert.strictEqual((yield* router.health("gpt-4.1@b")).inFlight, 0)
      }).pipe(Effect.provide(fx.layer))
    },
  )
})
