import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { GatewayError } from "../errors/gateway-error.ts"
import { testDeployment, testModel } from "../gateway/testing/gateway-fixture.ts"
import { Router } from "./router.ts"

const a = testDeployment("a")
const rateLimited = (retryAfterMs: number) =>
  new GatewayError({ reason: { _tag: "RateLimited", retryAfterMs }, message: "429" })
const serverError = new GatewayError({ reason: { _tag: "ProviderError" }, message: "500" })

const acquired = (deployment = a) =>
  Effect.gen(function* () {
    const router = yield* Router
    return Exit.isSuccess(yield* Effect.exit(router.acquire(deployment)))
  })

describe("Router cooldowns", () => {
  it.effect(
    "cools a deployment for its Retry-After; a longer one extends, a shorter one does not cut",
    () =>
      Effect.gen(function* () {
        const router = yield* Router
        yield* router.acquire(a)
        yield* router.release(a, { ok: false, error: rateLimited(10_000) })
        assert.isFalse(yield* acquired())

        yield* TestClock.adjust(1_000)
        yield* router.release(a, { ok: false, error: rateLimited(20_000) })
        assert.strictEqual((yield* router.health(a.id)).cooldownUntil, 21_000)
        yield* router.release(a, { ok: false, error: rateLimited(1_000) })
        assert.strictEqual((yield* router.health(a.id)).cooldownUntil, 21_000)

        yield* TestClock.adjust(19_999)
        assert.isFalse(yield* acquired())
      }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("lets one probe through after a cooldown, then full traffic once it succeeds", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* router.acquire(a)
      yield* router.release(a, { ok: false, error: rateLimited(5_000) })
      yield* TestClock.adjust(5_000)

      assert.isTrue(yield* acquired(), "the probe")
      assert.isFalse(yield* acquired(), "a second request while probing")
      yield* router.release(a, { ok: true, latencyMs: 100 })
      assert.isTrue(yield* acquired())
      assert.isTrue(yield* acquired())
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("cools a deployment after failures in a row and again when its probe fails", () =>
    Effect.gen(function* () {
      const router = yield* Router
      for (let i = 0; i < 3; i++) {
        yield* router.acquire(a)
        yield* router.release(a, { ok: false, error: serverError })
      }
      assert.isFalse(yield* acquired())
      yield* TestClock.adjust(5_000)
      assert.isTrue(yield* acquired())
      yield* router.release(a, { ok: false, error: serverError })
      assert.isFalse(yield* acquired())
    }).pipe(Effect.provide(Router.layerWith({ failureThreshold: 3, baseCooldownMs: 5_000 }))),
  )

  it.effect("puts cooling deployments last in the order", () =>
    Effect.gen(function* () {
      const router = yield* Router
      const model = testModel(["a", "b"], {}, { routing: "least-busy" })
      yield* router.acquire(a)
      yield* router.release(a, { ok: false, error: rateLimited(5_000) })
      const order = yield* router.order(model)
      assert.deepStrictEqual(
        order.map((d) => d.id),
        ["gpt-4.1@b", "gpt-4.1@a"],
      )
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("orders by the latency moving average under the latency strategy", () =>
    Effect.gen(function* () {
      const router = yield* Router
      const model = testModel(["a", "b"], {}, { routing: "latency" })
      const [da, db] = model.deployments
      if (da === undefined || db === undefined) throw new Error("fixture")
      yield* router.acquire(da)
      yield* router.release(da, { ok: true, latencyMs: 900 })
      yield* router.acquire(db)
      yield* router.release(db, { ok: true, latencyMs: 200 })
      assert.deepStrictEqual(
        (yield* router.order(model)).map((d) => d.id),
        ["gpt-4.1@b", "gpt-4.1@a"],
      )
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("prefers the deployment with fewer requests in flight under least-busy", () =>
    Effect.gen(function* () {
      const router = yield* Router
      const model = testModel(["a", "b"], {}, { routing: "least-busy" })
      yield* router.acquire(a)
      assert.deepStrictEqual(
        (yield* router.order(model)).map((d) => d.id),
        ["gpt-4.1@b", "gpt-4.1@a"],
      )
    }).pipe(Effect.provide(Router.layer)),
  )
})
