import { assert, describe, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { makeMemoryRateLimiter } from "./memory-rate-limiter.ts"
import type { RateLimiter } from "./rate-limiter.ts"
import { connectRedis, makeRedisRateLimiter } from "./redis-rate-limiter.ts"
import { requireRedis, testRedisUrl, uniqueTestPrefix } from "./redis-test-env.ts"

const redisUp = await requireRedis()

type Limiter = RateLimiter["Service"]

/** Opens `count` limiter instances that share one counter store, like gateway replicas. */
type Instances = (count: number) => Effect.Effect<ReadonlyArray<Limiter>, unknown, Scope.Scope>

const memory: Instances = () => Effect.succeed([makeMemoryRateLimiter()])

const redis: Instances = (count) =>
  Effect.gen(function* () {
    const prefix = uniqueTestPrefix()
    const limiters: Array<Limiter> = []
    for (let i = 0; i < count; i++) {
      const client = yield* connectRedis({ url: testRedisUrl })
      limiters.push(makeRedisRateLimiter(client, prefix))
    }
    return limiters
  })

const suites: ReadonlyArray<readonly [string, Instances, boolean]> = [
  ["memory", memory, true],
  ["redis", redis, redisUp],
]

for (const [name, open, enabled] of suites) {
  describe.skipIf(!enabled)(`${name} rate limiter`, () => {
    it.effect("admits exactly rpm requests in a window, then refuses without counting", () =>
      Effect.gen(function* () {
        const [limiter] = yield* open(1)
        if (limiter === undefined) return assert.fail("no limiter")

        const decisions = yield* Effect.forEach(
          Array.from({ length: 12 }, (_, i) => i),
          () => limiter.acquire("k1", { rpm: 5 }, 10),
          { concurrency: "unbounded" },
        )

        assert.strictEqual(decisions.filter((d) => d.allowed).length, 5)
        const refused = decisions.find((d) => !d.allowed)
        assert.strictEqual(refused?.limitedBy, "requests")
        assert.strictEqual(refused?.requests, 5)
        assert.strictEqual(refused?.tokens, 50)
      }),
    )

    it.effect("refuses a request whose tokens do not fit the remaining tpm", () =>
      Effect.gen(function* () {
        const [limiter] = yield* open(1)
        if (limiter === undefined) return assert.fail("no limiter")

        const first = yield* limiter.acquire("k2", { tpm: 1_000 }, 700)
        const second = yield* limiter.acquire("k2", { tpm: 1_000 }, 400)
        const third = yield* limiter.acquire("k2", { tpm: 1_000 }, 300)

        assert.isTrue(first.allowed)
        assert.isFalse(second.allowed)
        assert.strictEqual(second.limitedBy, "tokens")
        assert.isTrue(third.allowed)
        assert.strictEqual(third.tokens, 1_000)
      }),
    )

    it.effect("starts every minute from zero and reports the time to the next one", () =>
      Effect.gen(function* () {
        const [limiter] = yield* open(1)
        if (limiter === undefined) return assert.fail("no limiter")
        yield* TestClock.adjust("45 seconds")

        const first = yield* limiter.acquire("k3", { rpm: 1 }, 0)
        const refused = yield* limiter.acquire("k3", { rpm: 1 }, 0)
        yield* TestClock.adjust("15 seconds")
        const next = yield* limiter.acquire("k3", { rpm: 1 }, 0)

        assert.isTrue(first.allowed)
        assert.isFalse(refused.allowed)
        assert.strictEqual(refused.resetMs, 15_000)
        assert.isTrue(next.allowed)
        assert.strictEqual(next.windowStartMs, 60_000)
      }),
    )

    it.effect("adjust corrects the tokens of its own window and ignores a finished one", () =>
      Effect.gen(function* () {
        const [limiter] = yield* open(1)
        if (limiter === undefined) return assert.fail("no limiter")
        const limits = { tpm: 1_000 }

        const first = yield* limiter.acquire("k4", limits, 900)
        yield* limiter.adjust("k4", first.windowStartMs, { requests: 0, tokens: -800 })
        const second = yield* limiter.acquire("k4", limits, 800)
        yield* TestClock.adjust("1 minute")
        yield* limiter.adjust("k4", first.windowStartMs, { requests: 0, tokens: 5_000 })
        const third = yield* limiter.acquire("k4", limits, 1_000)

        assert.isTrue(second.allowed)
        assert.strictEqual(second.tokens, 900)
        assert.isTrue(third.allowed)
      }),
    )
  })
}

describe.skipIf(!redisUp)("redis rate limiter across instances", () => {
  it.effect("two instances on one Redis admit exactly rpm requests in a window", () =>
    Effect.gen(function* () {
      const limiters = yield* redis(2)
      const rpm = 25

      const decisions = yield* Effect.forEach(
        Array.from({ length: 120 }, (_, i) => limiters[i % 2]),
        (limiter) =>
          limiter === undefined ? Effect.die("no limiter") : limiter.acquire("shared", { rpm }, 1),
        { concurrency: "unbounded" },
      )

      const allowed = decisions.filter((d) => d.allowed)
      assert.strictEqual(allowed.length, rpm)
      assert.deepStrictEqual(
        allowed.map((d) => d.requests).sort((a, b) => a - b),
        Array.from({ length: rpm }, (_, i) => i + 1),
      )
    }),
  )
})
