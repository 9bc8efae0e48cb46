import { randomUUID } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { Admission, type Principal, RequestError } from "@tollgate/core"
import { Context, Effect, Layer, Result } from "effect"
import { afterAll, beforeAll } from "vitest"
import { BudgetsLive } from "../budgets/budget-store.ts"
import { KeyStore, KeyStoreLive, MASTER_PRINCIPAL } from "../keys/key-store.ts"
import { openTestDatabase, testDialects } from "../keys/test-support.ts"
import { RateLimiter, RateLimiterUnavailable } from "../limits/rate-limiter.ts"
import { requireRedis, testRedisUrl, uniqueTestPrefix } from "../limits/redis-test-env.ts"
import { layerStoreDatabase } from "../sql/store-database.ts"
import type { TestDatabase } from "../sql/testing.ts"
import { AdmissionLive } from "./admission-live.ts"
import { type AdmissionStoreOptions, layerAdmissionStore } from "./layer-admission-store.ts"

const dialects = await testDialects()
const redisUp = await requireRedis()

const WORST = 1_500_000n

const request = (principal: Principal, estimatedTokens = 100, worstCaseNanoUsd = WORST) => ({
  principal,
  requestId: randomUUID(),
  model: "gpt-4.1",
  estimatedTokens,
  worstCaseNanoUsd,
})

/** One gateway instance: its own pool, cache, limiter connection and admission. */
const instance = (db: TestDatabase, options: AdmissionStoreOptions = {}) =>
  layerAdmissionStore({ sweepIntervalMs: 0, ...options }).pipe(
    Layer.provideMerge(layerStoreDatabase(db.options)),
  )

const refusalOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(Effect.flip(effect), (error) =>
    error instanceof RequestError ? Effect.succeed(error) : Effect.die(error),
  )

describe.each(dialects)("admission on $dialect", ({ dialect, enabled }) => {
  let db: TestDatabase

  beforeAll(async () => {
    if (enabled) db = await openTestDatabase(dialect)
  })

  afterAll(async () => {
    if (enabled) await db.drop()
  })

  const withAdmission = <A, E>(effect: Effect.Effect<A, E, Admission | KeyStore>) =>
    Effect.provide(effect, instance(db))

  it.effect.skipIf(!enabled)("lets the master key through without limits or headers", () =>
    withAdmission(
      Effect.gen(function* () {
        const admission = yield* Admission

        const ticket = yield* admission.admit(request(MASTER_PRINCIPAL, 10 ** 9, 10n ** 15n))
        yield* admission.settle(ticket, { costNanoUsd: 5n, tokens: 10 })

        assert.deepStrictEqual(ticket.headers, {})
      }),
    ),
  )

  it.effect.skipIf(!enabled)("counts requests per minute and sends the x-ratelimit headers", () =>
    withAdmission(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const admission = yield* Admission
        const { key } = yield* keys.create({ name: "rpm", rpm: 2, tpm: 10_000 })
        const principal = yield* keys.authenticate(key)

        const first = yield* admission.admit(request(principal, 300))
        yield* admission.admit(request(principal, 300))
        const refusal = yield* refusalOf(admission.admit(request(principal, 300)))

        assert.strictEqual(first.headers["x-ratelimit-limit-requests"], "2")
        assert.strictEqual(first.headers["x-ratelimit-remaining-requests"], "1")
        assert.strictEqual(first.headers["x-ratelimit-remaining-tokens"], "9700")
        assert.isDefined(first.headers["x-ratelimit-reset-requests"])
        assert.strictEqual(refusal.status, 429)
        assert.strictEqual(refusal.code, "rate_limit_exceeded")
        assert.isDefined(refusal.headers?.["retry-after"])
        assert.strictEqual(refusal.headers?.["x-ratelimit-remaining-requests"], "0")
      }),
    ),
  )

  it.effect.skipIf(!enabled)("refuses over budget and gives the rate-limit slot back", () =>
    withAdmission(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const admission = yield* Admission
        const { key } = yield* keys.create({ name: "budget", rpm: 2, budgetNanoUsd: WORST })
        const principal = yield* keys.authenticate(key)

        const first = yield* admission.admit(request(principal))
        const refusal = yield* refusalOf(admission.admit(request(principal)))
        yield* admission.settle(first, { costNanoUsd: 1_000n, tokens: 50 })
        const afterSettle = yield* Effect.result(admission.admit(request(principal, 100, 1_000n)))

        assert.strictEqual(refusal.status, 429)
        assert.strictEqual(refusal.code, "insufficient_quota")
        assert.strictEqual(refusal.type, "insufficient_quota")
        // The rate-limit headers are added to the budget's refusal; its message must survive.
        assert.match(refusal.message, /budget/)
        assert.strictEqual(refusal.headers?.["x-should-retry"], "false")
        assert.strictEqual(refusal.headers?.["x-ratelimit-limit-requests"], "2")
        // rpm 2: the first request and this one; the refused one was not counted.
        assert.isTrue(Result.isSuccess(afterSettle))
        assert.strictEqual((yield* keys.get(principal.keyId)).spentNanoUsd, 1_000n)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("settles the exact cost and counts the tokens actually used", () =>
    withAdmission(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const admission = yield* Admission
        const { key } = yield* keys.create({ name: "tpm", tpm: 1_000, budgetNanoUsd: WORST * 5n })
        const principal = yield* keys.authenticate(key)

        const first = yield* admission.admit(request(principal, 800))
        const tooMany = yield* refusalOf(admission.admit(request(principal, 300)))
        yield* admission.settle(first, { costNanoUsd: 123_456n, tokens: 100 })
        const next = yield* admission.admit(request(principal, 300))
        const info = yield* keys.get(principal.keyId)

        assert.strictEqual(tooMany.code, "rate_limit_exceeded")
        assert.strictEqual(tooMany.type, "tokens")
        assert.strictEqual(next.headers["x-ratelimit-remaining-tokens"], "600")
        assert.strictEqual(info.spentNanoUsd, 123_456n)
        assert.strictEqual(info.reservedNanoUsd, WORST)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("refuses a key revoked after it authenticated", () =>
    withAdmission(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const admission = yield* Admission
        const { key, info } = yield* keys.create({ name: "revoked" })
        const principal = yield* keys.authenticate(key)

        yield* keys.revoke(info.id)
        const refusal = yield* refusalOf(admission.admit(request(principal)))

        assert.strictEqual(refusal.status, 401)
      }),
    ),
  )
})

/** A rate limiter whose store is down, like Redis during an outage. */
const downLimiter = Layer.succeed(
  RateLimiter,
  RateLimiter.of({
    acquire: () => Effect.fail(new RateLimiterUnavailable({ message: "Redis is down" })),
    adjust: () => Effect.fail(new RateLimiterUnavailable({ message: "Redis is down" })),
  }),
)

describe("admission while the rate limiter is down", () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await openTestDatabase("sqlite")
  })

  afterAll(async () => {
    await db.drop()
  })

  const withDownLimiter = (onLimiterUnavailable: "open" | "closed") =>
    AdmissionLive({ onLimiterUnavailable }).pipe(
      Layer.provideMerge(
        Layer.mergeAll(KeyStoreLive(), BudgetsLive({ sweepIntervalMs: 0 }), downLimiter),
      ),
      Layer.provideMerge(layerStoreDatabase(db.options)),
    )

  const limitedKey = Effect.gen(function* () {
    const keys = yield* KeyStore
    const { key } = yield* keys.create({ name: "limited", rpm: 1, budgetNanoUsd: WORST * 2n })
    return yield* keys.authenticate(key)
  })

  it.effect("admits without limits by default, and still holds the budget", () =>
    Effect.gen(function* () {
      const admission = yield* Admission
      const principal = yield* limitedKey

      const first = yield* admission.admit(request(principal))
      const second = yield* admission.admit(request(principal))
      const third = yield* refusalOf(admission.admit(request(principal)))

      assert.deepStrictEqual(first.headers, {})
      assert.isDefined(second.id)
      assert.strictEqual(third.code, "insufficient_quota")
    }).pipe(Effect.provide(withDownLimiter("open"))),
  )

  it.effect("refuses with 503 when configured closed", () =>
    Effect.gen(function* () {
      const admission = yield* Admission
      const principal = yield* limitedKey

      const refusal = yield* refusalOf(admission.admit(request(principal)))

      assert.strictEqual(refusal.status, 503)
    }).pipe(Effect.provide(withDownLimiter("closed"))),
  )
})

const postgres = dialects.find((d) => d.dialect === "postgres")?.enabled === true

describe.skipIf(!postgres || !redisUp)("admission across two instances (PostgreSQL, Redis)", () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await openTestDatabase("postgres")
  })

  afterAll(async () => {
    await db.drop()
  })

  it.effect("an RPM limit of N admits exactly N requests per window over both", () =>
    Effect.gen(function* () {
      const options = { redisUrl: testRedisUrl, redisKeyPrefix: uniqueTestPrefix() }
      const one = yield* Layer.build(instance(db, options))
      const two = yield* Layer.build(instance(db, options))
      const admissions = [Context.get(one, Admission), Context.get(two, Admission)]
      const keys = Context.get(one, KeyStore)
      const { key } = yield* keys.create({
        name: "shared rpm",
        rpm: 7,
        budgetNanoUsd: WORST * 100n,
      })
      const principal = yield* keys.authenticate(key)

      const outcomes = yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => admissions[i % 2]),
        (admission) =>
          admission === undefined
            ? Effect.die("no instance")
            : Effect.result(admission.admit(request(principal))),
        { concurrency: "unbounded" },
      )
      const info = yield* keys.get(principal.keyId)

      assert.strictEqual(outcomes.filter(Result.isSuccess).length, 7)
      assert.strictEqual(info.reservedNanoUsd, WORST * 7n)
    }),
  )
})
