import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Router } from "../routing/router.ts"
import { complete } from "./complete.ts"
import { toErrorResponse } from "./error-response.ts"
import { stream } from "./stream.ts"
import { jsonResponse } from "./testing/fake-http-client.ts"
import {
  chunkLine,
  completionBody,
  gatewayFixture,
  sseThen,
  testContext,
  testModel,
} from "./testing/gateway-fixture.ts"

const body = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  messages: [{ role: "user", content: "Say hello." }],
  ...extra,
})

const statusOf = (exit: Exit.Exit<unknown, unknown>): number => {
  const failure = Exit.isFailure(exit)
    ? exit.cause.reasons.find((r) => r._tag === "Fail")
    : undefined
  if (failure?._tag !== "Fail") return 0
  const error = failure.error
  return typeof error === "object" && error !== null && "_tag" in error
    ? toErrorResponse(error as Parameters<typeof toErrorResponse>[0]).status
    : 0
}

// Per-attempt limits and retries that alone would allow 2 x 6 x 10 s = 2 minutes:
const generous = { deadlineMs: 30_000, attemptTimeoutMs: 10_000, maxRetries: 5 }

describe("the 30 s deadline", () => {
  it.effect(
    "a stalling upstream with retries and a fallback ends in a 504 at 30 s, not later",
    () => {
      // One retry per deployment, then the fallback: 4 x 10 s allowed without the deadline.
      const fx = gatewayFixture(
        [testModel(["a", "b"], { ...generous, maxRetries: 1 })],
        () => Effect.never,
      )
      return Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(Effect.exit(complete(body(), testContext())))
        yield* TestClock.adjust(29_999)
        assert.isUndefined(fiber.pollUnsafe(), "gave up before the deadline")
        const hosts = fx.sent.map((s) => new URL(s.url).host)
        assert.deepStrictEqual(hosts, ["a.test", "a.test", "b.test"], "retry, then fallback")

        yield* TestClock.adjust(1)
        const exit = yield* Fiber.join(fiber)
        assert.strictEqual(statusOf(exit), 504)
        assert.strictEqual(fx.entries[0]?.status, 504)
        // No call outlives the request, and none started after it ended:
        assert.isTrue(fx.sent.every((s) => s.signal.aborted))
        const sent = fx.sent.length
        yield* TestClock.adjust(60_000)
        assert.strictEqual(fx.sent.length, sent)
      }).pipe(Effect.provide(fx.layer))
    },
  )

  it.effect("a stream whose first token never comes ends in a 504 at 30 s", () => {
    const fx = gatewayFixture(
      [testModel(["a", "b"], { ...generous, firstTokenTimeoutMs: 10_000 })],
      () => sseThen([chunkLine({ role: "assistant", content: "" })], "hang"),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.exit(stream(body({ stream: true }), testContext())),
      )
      yield* TestClock.adjust(29_999)
      assert.isUndefined(fiber.pollUnsafe(), "gave up before the deadline")
      yield* TestClock.adjust(1)
      assert.strictEqual(statusOf(yield* Fiber.join(fiber)), 504)
      assert.isTrue(fx.sent.every((s) => s.signal.aborted))
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("a deadline reached while waiting out cooldowns still ends at 30 s", () => {
    // Both deployments answer 429 with a Retry-After of 8 s, again and again:
    const fx = gatewayFixture([testModel(["a", "b"], generous)], () =>
      jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": "8" }),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.exit(complete(body(), testContext())))
      for (let t = 0; t < 29_999; t += 1_000) yield* TestClock.adjust(1_000)
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      // Waiting is only started when a cooldown ends in time: each deployment is called at 0,
      // 8 s, 16 s and 24 s, never again once 32 s would be past the deadline.
      assert.strictEqual(fx.sent.length, 8)
      // An upstream's rate limit reaches the client as a 502 naming it (error-response.ts):
      assert.strictEqual(fx.entries[0]?.status, 502)
    }).pipe(Effect.provide(fx.layer))
  })
})

describe("retrying a 429", () => {
  it.effect("calls the deployment again only after its Retry-After", () => {
    const fx = gatewayFixture([testModel(["a"])], (_, i) =>
      i === 0
        ? jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": "3" })
        : jsonResponse(completionBody()),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(complete(body(), testContext()))
      yield* TestClock.adjust(2_999)
      assert.strictEqual(fx.sent.length, 1, "retried before Retry-After")
      yield* TestClock.adjust(1)
      const outcome = yield* Fiber.join(fiber)
      assert.strictEqual(fx.sent.length, 2)
      assert.strictEqual(outcome.headers["x-tollgate-attempts"], "2")
      // The retry was the probe, and its success reopened the deployment:
      assert.strictEqual((yield* (yield* Router).health("gpt-4.1@a")).cooldownUntil, 0)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("retries a 429 without Retry-After after a backoff, not at once", () => {
    const fx = gatewayFixture([testModel(["a"], { backoffBaseMs: 500 })], (_, i) =>
      i === 0
        ? jsonResponse({ error: { message: "slow down" } }, 429)
        : jsonResponse(completionBody()),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(complete(body(), testContext()))
      yield* TestClock.adjust(100)
      assert.strictEqual(fx.sent.length, 1, "retried without a backoff")
      yield* TestClock.adjust(2_000)
      yield* Fiber.join(fiber)
      assert.strictEqual(fx.sent.length, 2)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("goes at once to another deployment while the 429'd one cools", () => {
    const fx = gatewayFixture([testModel(["a", "b"])], (request) =>
      request.url.startsWith("http://a.")
        ? jsonResponse({ error: { message: "slow down" } }, 429, { "retry-after": "3" })
        : jsonResponse(completionBody()),
    )
    return Effect.gen(function* () {
      const outcome = yield* complete(body(), testContext())
      assert.strictEqual(outcome.headers["x-tollgate-deployment"], "gpt-4.1@b")
      assert.strictEqual(fx.sent.length, 2)
    }).pipe(Effect.provide(fx.layer))
  })
})

describe("router slots", () => {
  it.effect("a stream holds its in-flight slot until it ends, not just to its first token", () => {
    const fx = gatewayFixture([testModel(["a"])], () =>
      sseThen([chunkLine({ content: "Hel" }), chunkLine({ content: "lo" })], "done"),
    )
    return Effect.gen(function* () {
      const router = yield* Router
      const opened = yield* stream(body({ stream: true }), testContext())
      assert.strictEqual((yield* router.health("gpt-4.1@a")).inFlight, 1, "freed at first token")
      yield* Stream.runDrain(opened.events)
      assert.strictEqual((yield* router.health("gpt-4.1@a")).inFlight, 0, "kept after the end")
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("a stream cut after its first token frees its slot and counts as a failure", () => {
    const fx = gatewayFixture([testModel(["a"])], () =>
      sseThen([chunkLine({ content: "Hel" })], "cut"),
    )
    return Effect.gen(function* () {
      const router = yield* Router
      const opened = yield* stream(body({ stream: true }), testContext())
      yield* Stream.runDrain(opened.events)
      const health = yield* router.health("gpt-4.1@a")
      assert.strictEqual(health.inFlight, 0)
      assert.deepStrictEqual(health.recent, [false, true])
    }).pipe(Effect.provide(fx.layer))
  })
})
