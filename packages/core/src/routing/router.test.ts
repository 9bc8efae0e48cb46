import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { GatewayError } from "../errors/gateway-error.ts"
import { testDeployment, testModel } from "../gateway/testing/gateway-fixture.ts"
import { Router } from "./router.ts"

const a = testDeployment("a")
const b = testDeployment("b")
const rateLimited = (retryAfterMs: number) =>
  new GatewayError({ reason: { _tag: "RateLimited", retryAfterMs }, message: "429" })
const serverError = new GatewayError({ reason: { _tag: "ProviderError" }, message: "500" })

const acquired = (deployment = a) =>
  Effect.gen(function* () {
    const router = yield* Router
    const exit = yield* Effect.exit(router.acquire(deployment))
    if (Exit.isSuccess(exit)) yield* router.release(exit.value, { ok: "abandoned" })
    return Exit.isSuccess(exit)
  })

// One attempt on a deployment that ends with `error`.
const fails = (error: GatewayError, deployment = a) =>
  Effect.gen(function* () {
    const router = yield* Router
    const slot = yield* router.acquire(deployment)
    yield* router.release(slot, { ok: false, error })
  })

describe("Router cooldowns", () => {
  it.effect(
    "cools a deployment for its Retry-After; a longer one extends, a shorter one does not cut",
    () =>
      Effect.gen(function* () {
        const router = yield* Router
        const first = yield* router.acquire(a)
        const second = yield* router.acquire(a)
        const third = yield* router.acquire(a)
        yield* router.release(first, { ok: false, error: rateLimited(10_000) })
        assert.isFalse(yield* acquired())

        yield* TestClock.adjust(1_000)
        yield* router.release(second, { ok: false, error: rateLimited(20_000) })
        assert.strictEqual((yield* router.health(a.id)).cooldownUntil, 21_000)
        yield* router.release(third, { ok: false, error: rateLimited(1_000) })
        assert.strictEqual((yield* router.health(a.id)).cooldownUntil, 21_000)

        yield* TestClock.adjust(19_999)
        assert.isFalse(yield* acquired())
      }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("lets one probe through after a cooldown, then full traffic once it succeeds", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* fails(rateLimited(5_000))
      yield* TestClock.adjust(5_000)

      const probe = yield* router.acquire(a)
      assert.isTrue(probe.probe)
      assert.isFalse(yield* acquired(), "a second request while probing")
      yield* router.release(probe, { ok: true, latencyMs: 100 })
      assert.isTrue(yield* acquired())
      assert.isTrue(yield* acquired())
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("cools a deployment after repeated failures and again when its probe fails", () =>
    Effect.gen(function* () {
      const router = yield* Router
      for (let i = 0; i < 3; i++) yield* fails(serverError)
      assert.isFalse(yield* acquired())
      yield* TestClock.adjust(5_000)
      const probe = yield* router.acquire(a)
      yield* router.release(probe, { ok: false, error: serverError })
      assert.isFalse(yield* acquired())
    }).pipe(Effect.provide(Router.layerWith({ failureThreshold: 3, baseCooldownMs: 5_000 }))),
  )

  it.effect("a request that was not the probe cannot end or free the probe", () =>
    Effect.gen(function* () {
      const router = yield* Router
      const early = yield* router.acquire(a)
      yield* fails(rateLimited(1_000))
      yield* TestClock.adjust(1_000)
      const probe = yield* router.acquire(a)
      // The request from before the cooldown gives up: the probe is still out.
      yield* router.release(early, { ok: "abandoned" })
      assert.isFalse(yield* acquired())
      yield* router.release(probe, { ok: true })
      assert.isTrue(yield* acquired())
    }).pipe(Effect.provide(Router.layer)),
  )
})

describe("Router waiting", () => {
  it.effect("a request waits for the earliest cooldown's end and goes there as the probe", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* fails(rateLimited(3_000), a)
      yield* fails(rateLimited(1_000), b)
      const waiting = yield* Effect.forkChild(router.waitForAny([a, b], 10_000))
      yield* TestClock.adjust(999)
      assert.isUndefined(waiting.pollUnsafe(), "granted before any cooldown ended")
      yield* TestClock.adjust(1)
      const slot = yield* Fiber.join(waiting)
      assert.strictEqual(slot?.deployment.id, b.id)
      assert.isTrue(slot?.probe)
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("requests waiting on a probe proceed the moment it succeeds, in arrival order", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* fails(rateLimited(1_000))
      yield* TestClock.adjust(1_000)
      const probe = yield* router.acquire(a)

      const order: Array<number> = []
      const waiters = yield* Effect.forEach([0, 1, 2], (i) =>
        Effect.forkChild(
          router.waitForAny([a], 10_000).pipe(Effect.tap(() => Effect.sync(() => order.push(i)))),
        ),
      )
      yield* Effect.yieldNow
      assert.deepStrictEqual(order, [], "a waiter went before the probe's result")
      // A newcomer does not jump the line:
      assert.isFalse(yield* acquired())

      yield* router.release(probe, { ok: true })
      const slots = yield* Effect.forEach(waiters, Fiber.join)
      assert.deepStrictEqual(order, [0, 1, 2])
      assert.isTrue(slots.every((s) => s !== undefined && !s.probe))
      assert.strictEqual((yield* router.health(a.id)).inFlight, 3)
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("when a probe fails without a new cooldown, the next in line becomes the probe", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* fails(rateLimited(1_000))
      yield* TestClock.adjust(1_000)
      const probe = yield* router.acquire(a)
      const first = yield* Effect.forkChild(router.waitForAny([a], 10_000))
      const second = yield* Effect.forkChild(router.waitForAny([a], 10_000))
      yield* Effect.yieldNow

      yield* router.release(probe, { ok: false, error: serverError })
      const next = yield* Fiber.join(first)
      assert.isTrue(next?.probe)
      assert.isUndefined(second.pollUnsafe(), "two probes at once")
      if (next !== undefined) yield* router.release(next, { ok: true })
      assert.isFalse((yield* Fiber.join(second))?.probe)
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("does not wait when every deployment stays cooling past the deadline", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* fails(rateLimited(30_000))
      assert.isUndefined(yield* router.waitForAny([a], 10_000))
    }).pipe(Effect.provide(Router.layer)),
  )

  it.effect("a waiter interrupted after its grant hands the probe to the next in line", () =>
    Effect.gen(function* () {
      const router = yield* Router
      yield* fails(rateLimited(1_000))
      const first = yield* Effect.forkChild(router.waitForAny([a], 10_000))
      const second = yield* Effect.forkChild(router.waitForAny([a], 10_000))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust(1_000)
      const slot = yield* Fiber.join(second)
      assert.isTrue(slot?.probe)
      assert.strictEqual((yield* router.health(a.id)).inFlight, 1)
    }).pipe(Effect.provide(Router.layer)),
  )
})

describe("Router order", () => {
  it.effect("puts cooling deployments last in the order", () =>
    Effect.gen(function* () {
      const router = yield* Router
      const model = testModel(["a", "b"], {}, { routing: "least-busy" })
      yield* fails(rateLimited(5_000))
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
      yield* router.release(yield* router.acquire(da), { ok: true, latencyMs: 900 })
      yield* router.release(yield* router.acquire(db), { ok: true, latencyMs: 200 })
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
