import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { GatewayError } from "../errors/gateway-error.ts"
import type { RequestError } from "../errors/request-error.ts"
import { Router } from "../routing/router.ts"
import { complete } from "./complete.ts"
import { toErrorResponse } from "./error-response.ts"
import { jsonResponse } from "./testing/fake-http-client.ts"
import {
  completionBody,
  gatewayFixture,
  testContext,
  testModel,
} from "./testing/gateway-fixture.ts"

const body = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  messages: [{ role: "user", content: "Say hello." }],
  ...extra,
})

const errorOf = <A>(exit: Exit.Exit<A, GatewayError | RequestError>) => {
  assert.isTrue(Exit.isFailure(exit), "expected a failure")
  const reason = Exit.isFailure(exit)
    ? exit.cause.reasons.find((r) => r._tag === "Fail")
    : undefined
  if (reason?._tag !== "Fail") throw new Error("no failure in the cause")
  return reason.error
}

const error503 = () =>
  jsonResponse({ error: { message: "overloaded" } }, 503, { "retry-after": "2" })

describe("complete", () => {
  it.effect("answers with usage.cost and the exact cost header, and records it", () => {
    const fx = gatewayFixture([testModel(["a"])], () => jsonResponse(completionBody()))
    return Effect.gen(function* () {
      const outcome = yield* complete(body(), testContext())
      const cost = outcome.response.usage?.cost ?? 0
      assert.isAbove(cost, 0)
      assert.strictEqual(outcome.headers["x-tollgate-cost-usd"], cost.toFixed(9))
      assert.strictEqual(fx.entries.length, 1)
      assert.strictEqual(fx.entries[0]?.status, 200)
      assert.strictEqual(Number(fx.entries[0]?.costNanoUsd) / 1e9, cost)
      assert.strictEqual(fx.entries[0]?.promptTokens, 10)
      assert.isFalse(fx.entries[0]?.estimated)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("retries a 503 only after its Retry-After, then succeeds", () => {
    const fx = gatewayFixture([testModel(["a"])], (_, i) =>
      i === 0 ? error503() : jsonResponse(completionBody()),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(complete(body(), testContext()))
      yield* TestClock.adjust(1_900)
      assert.strictEqual(fx.sent.length, 1, "retried before Retry-After")
      yield* TestClock.adjust(1_000)
      const outcome = yield* Fiber.join(fiber)
      assert.strictEqual(fx.sent.length, 2)
      assert.strictEqual(outcome.headers["x-tollgate-attempts"], "2")
      assert.strictEqual(fx.entries[0]?.attempts, 2)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("does not retry a 400 and passes its param on", () => {
    const fx = gatewayFixture([testModel(["a", "b"])], () =>
      jsonResponse({ error: { message: "bad", param: "temperature", code: "invalid_value" } }, 400),
    )
    return Effect.gen(function* () {
      const error = errorOf(yield* Effect.exit(complete(body(), testContext())))
      const rendered = toErrorResponse(error)
      assert.strictEqual(fx.sent.length, 1)
      assert.strictEqual(rendered.status, 400)
      assert.strictEqual(rendered.body.error.param, "temperature")
      assert.strictEqual(fx.entries[0]?.status, 400)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("falls back to the next deployment after retries fail", () => {
    const fx = gatewayFixture([testModel(["a", "b"], { maxRetries: 1 })], (request) =>
      request.url.startsWith("http://a.") ? jsonResponse({}, 500) : jsonResponse(completionBody()),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(complete(body(), testContext()))
      yield* TestClock.adjust(10_000)
      const outcome = yield* Fiber.join(fiber)
      assert.deepStrictEqual(
        fx.sent.map((s) => new URL(s.url).host),
        ["a.test", "a.test", "b.test"],
      )
      assert.strictEqual(outcome.headers["x-tollgate-deployment"], "gpt-4.1@b")
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("with fallbacks: false calls only one deployment and answers 502", () => {
    const fx = gatewayFixture([testModel(["a", "b"], { maxRetries: 1 })], () =>
      jsonResponse({}, 500),
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.exit(complete(body({ fallbacks: false }), testContext())),
      )
      yield* TestClock.adjust(10_000)
      const error = errorOf(yield* Fiber.join(fiber))
      assert.strictEqual(toErrorResponse(error).status, 502)
      assert.deepStrictEqual(new Set(fx.sent.map((s) => new URL(s.url).host)), new Set(["a.test"]))
      assert.strictEqual(fx.sent.length, 2)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("tries the request's models array after the model's own deployments", () => {
    const other = testModel(["c"], {}, { id: "gpt-4.1-mini" })
    const fx = gatewayFixture([testModel(["a"], { maxRetries: 0 }), other], (request) =>
      request.url.startsWith("http://a.") ? jsonResponse({}, 503) : jsonResponse(completionBody()),
    )
    return Effect.gen(function* () {
      const outcome = yield* complete(body({ models: ["gpt-4.1-mini"] }), testContext())
      assert.strictEqual(outcome.headers["x-tollgate-model"], "gpt-4.1-mini")
      assert.strictEqual(fx.entries[0]?.model, "gpt-4.1")
      assert.strictEqual(fx.entries[0]?.deploymentId, "gpt-4.1@c")
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("ends a stalled upstream with a 504 at the deadline, not later", () => {
    const fx = gatewayFixture(
      [testModel(["a"], { deadlineMs: 5_000, attemptTimeoutMs: 60_000 })],
      () => Effect.never,
    )
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.exit(complete(body(), testContext())))
      yield* TestClock.adjust(4_999)
      assert.isUndefined(fiber.pollUnsafe(), "gave up before the deadline")
      yield* TestClock.adjust(1)
      const error = errorOf(yield* Fiber.join(fiber))
      assert.strictEqual(toErrorResponse(error).status, 504)
      assert.strictEqual(fx.entries[0]?.status, 504)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("does not start a retry whose Retry-After ends past the deadline", () => {
    const fx = gatewayFixture([testModel(["a"], { deadlineMs: 5_000 })], () =>
      jsonResponse({ error: { message: "later" } }, 503, { "retry-after": "30" }),
    )
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(complete(body(), testContext()))
      const rendered = toErrorResponse(errorOf(exit))
      assert.strictEqual(rendered.status, 502)
      assert.strictEqual(rendered.headers["retry-after"], "30")
      assert.strictEqual(fx.sent.length, 1)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("honours x-tollgate-timeout-ms over the model's deadline", () => {
    const fx = gatewayFixture([testModel(["a"], { deadlineMs: 60_000 })], () => Effect.never)
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.exit(complete(body(), testContext({ timeoutMs: 1_000 }))),
      )
      yield* TestClock.adjust(1_000)
      const error = errorOf(yield* Fiber.join(fiber))
      assert.strictEqual(toErrorResponse(error).body.error.code, "deadline_exceeded")
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("records a client abort as 499", () => {
    const fx = gatewayFixture([testModel(["a"])], () => Effect.never)
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(complete(body(), testContext()))
      yield* TestClock.adjust(100)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(fx.entries[0]?.status, 499)
      assert.isTrue(fx.entries[0]?.estimated)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("rejects a bad body with a 400 naming the field, before any upstream call", () => {
    const fx = gatewayFixture([testModel(["a"])], () => jsonResponse(completionBody()))
    return Effect.gen(function* () {
      const bad = { model: "gpt-4.1", messages: [{ role: "robot", content: "x" }] }
      const rendered = toErrorResponse(errorOf(yield* Effect.exit(complete(bad, testContext()))))
      assert.strictEqual(rendered.status, 400)
      assert.strictEqual(rendered.body.error.param, "messages[0].role")
      assert.strictEqual(fx.sent.length, 0)
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("refuses max_tokens over the model's output limit", () => {
    const fx = gatewayFixture([testModel(["a"])], () => jsonResponse(completionBody()))
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(complete(body({ max_tokens: 100_000 }), testContext()))
      assert.strictEqual(toErrorResponse(errorOf(exit)).body.error.param, "max_tokens")
      assert.strictEqual(fx.sent.length, 0)
    }).pipe(Effect.provide(fx.layer))
  })
})

describe("cooldowns", () => {
  it.effect(
    "skips a deployment cooling after a 429, then probes it once the Retry-After passed",
    () => {
      let aLimited = true
      const fx = gatewayFixture([testModel(["a", "b"])], (request) =>
        request.url.startsWith("http://a.") && aLimited
          ? jsonResponse({ error: { message: "slow" } }, 429, { "retry-after": "30" })
          : jsonResponse(completionBody()),
      )
      const hosts = () => fx.sent.map((s) => new URL(s.url).host)
      return Effect.gen(function* () {
        yield* complete(body(), testContext())
        assert.include(hosts(), "a.test")
        const aCalls = hosts().filter((h) => h === "a.test").length

        yield* complete(body(), testContext({ receivedAt: 0, requestId: "req-2" }))
        assert.strictEqual(
          hosts().filter((h) => h === "a.test").length,
          aCalls,
          "a called while cooling",
        )

        aLimited = false
        yield* TestClock.adjust(30_000)
        const router = yield* Router
        yield* complete(body(), testContext({ receivedAt: 30_000 }))
        const health = yield* router.health("gpt-4.1@a")
        assert.strictEqual(health.cooldownUntil, 0)
      }).pipe(Effect.provide(fx.layer))
    },
  )
})

describe("context too long", () => {
  it.effect("moves on only to a model with a larger context window", () => {
    const small = testModel(["a", "b"], {}, { contextWindow: 8_000 })
    const same = testModel(["c"], {}, { id: "same-window", contextWindow: 8_000 })
    const large = testModel(["d"], {}, { id: "large-window", contextWindow: 200_000 })
    const fx = gatewayFixture([small, same, large], (request) =>
      request.url.startsWith("http://d.")
        ? jsonResponse(completionBody())
        : jsonResponse({ error: { message: "too long", code: "context_length_exceeded" } }, 400),
    )
    return Effect.gen(function* () {
      const outcome = yield* complete(
        body({ models: ["same-window", "large-window"] }),
        testContext(),
      )
      assert.strictEqual(outcome.headers["x-tollgate-model"], "large-window")
      assert.deepStrictEqual(
        fx.sent.map((s) => new URL(s.url).host),
        ["a.test", "d.test"],
      )
    }).pipe(Effect.provide(fx.layer))
  })
})
