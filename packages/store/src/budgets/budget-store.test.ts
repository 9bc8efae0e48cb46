import { assert, describe, it } from "@effect/vitest"
import { RequestError } from "@tollgate/core"
import { Context, Effect, Layer, Result } from "effect"
import type { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import { KeyStore } from "../keys/key-store.ts"
import { instanceLayer, openTestDatabase, testDialects } from "../keys/test-support.ts"
import type { TestDatabase } from "../sql/testing.ts"
import { Budgets, type Reservation } from "./budget-store.ts"
import { periodStart } from "./period.ts"

const dialects = await testDialects()

// $0.0015: a prompt and max_tokens at list price, a realistic worst case.
const WORST = 1_500_000n

type Outcome = Result.Result<Reservation, RequestError | unknown>

const granted = (outcomes: ReadonlyArray<Outcome>) =>
  outcomes.flatMap((outcome) => (Result.isSuccess(outcome) ? [outcome.success] : []))

const refusals = (outcomes: ReadonlyArray<Outcome>) =>
  outcomes.flatMap((outcome) => (Result.isFailure(outcome) ? [outcome.failure] : []))

/** `count` reservations of `amount` at once, spread over the given instances. */
const reserveConcurrently = (
  instances: ReadonlyArray<Budgets["Service"]>,
  keyId: string,
  amount: bigint,
  count: number,
) =>
  Effect.forEach(
    Array.from({ length: count }, (_, i) => instances[i % instances.length]),
    (budgets) =>
      budgets === undefined
        ? Effect.die("no instance")
        : Effect.result(budgets.reserve(keyId, amount)),
    { concurrency: "unbounded" },
  )

describe.each(dialects)("budgets on $dialect", ({ dialect, enabled }) => {
  let db: TestDatabase

  beforeAll(async () => {
    if (enabled) db = await openTestDatabase(dialect)
  })

  afterAll(async () => {
    if (enabled) await db.drop()
  })

  const withStore = <A, E>(
    effect: Effect.Effect<A, E, KeyStore | Budgets | SqlClient.SqlClient>,
    reservationTtlMs?: number,
  ) => Effect.provide(effect, instanceLayer(db, { budgets: { reservationTtlMs } }))

  it.effect.skipIf(!enabled)(
    "200 concurrent reservations fit a 10-request budget exactly 10 times",
    () =>
      withStore(
        Effect.gen(function* () {
          const keys = yield* KeyStore
          const budgets = yield* Budgets
          const { info } = yield* keys.create({
            name: "ten",
            budgetNanoUsd: WORST * 10n,
            budgetPeriod: "day",
          })

          const outcomes = yield* reserveConcurrently([budgets], info.id, WORST, 200)
          const held = yield* keys.get(info.id)
          yield* Effect.forEach(granted(outcomes), (r) => budgets.settle(info.id, r.id, WORST - 1n))
          const settled = yield* keys.get(info.id)

          assert.strictEqual(granted(outcomes).length, 10)
          for (const refusal of refusals(outcomes)) {
            assert.instanceOf(refusal, RequestError)
            assert.strictEqual((refusal as RequestError).status, 429)
            assert.strictEqual((refusal as RequestError).code, "insufficient_quota")
            assert.strictEqual((refusal as RequestError).headers?.["x-should-retry"], "false")
          }
          assert.strictEqual(held.reservedNanoUsd, WORST * 10n)
          assert.strictEqual(settled.reservedNanoUsd, 0n)
          assert.strictEqual(settled.spentNanoUsd, (WORST - 1n) * 10n)
          assert.isAtMost(Number(settled.spentNanoUsd), Number(WORST * 10n))
        }),
      ),
  )

  it.effect.skipIf(!enabled)(
    "a 1 nano-USD budget admits no request whose worst case exceeds it",
    () =>
      withStore(
        Effect.gen(function* () {
          const keys = yield* KeyStore
          const budgets = yield* Budgets
          const { info } = yield* keys.create({ name: "tiny", budgetNanoUsd: 1n })

          const costly = yield* reserveConcurrently([budgets], info.id, 2n, 8)
          const fitting = yield* reserveConcurrently([budgets], info.id, 1n, 8)

          assert.strictEqual(granted(costly).length, 0)
          assert.strictEqual(granted(fitting).length, 1)
          assert.strictEqual((yield* keys.get(info.id)).reservedNanoUsd, 1n)
        }),
      ),
  )

  it.effect.skipIf(!enabled)("says which budget refused and how much is left", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({
          name: "msg",
          budgetNanoUsd: 10_000_000_000n,
          budgetPeriod: "day",
        })
        const first = yield* budgets.reserve(info.id, 4_000_000_000n)
        yield* budgets.settle(info.id, first.id, 3_000_000_000n)
        yield* budgets.reserve(info.id, 2_500_000_000n)

        const refusal = yield* Effect.flip(budgets.reserve(info.id, 5_000_000_000n))

        assert.instanceOf(refusal, RequestError)
        const message = (refusal as RequestError).message
        assert.include(message, "daily budget of $10.00")
        assert.include(message, "$3.00 spent")
        assert.include(message, "$2.50 held")
        assert.include(message, "leave $4.50")
        assert.include(message, "up to $5.00")
        assert.include(message, "resets at 1970-01-02T00:00:00.000Z")
      }),
    ),
  )

  it.effect.skipIf(!enabled)("starts a daily budget again at UTC midnight", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({
          name: "daily",
          budgetNanoUsd: WORST,
          budgetPeriod: "day",
        })
        const today = yield* budgets.reserve(info.id, WORST)
        yield* budgets.settle(info.id, today.id, WORST)
        const refusedToday = yield* Effect.result(budgets.reserve(info.id, 1n))

        yield* TestClock.adjust("1 day")
        const tomorrow = yield* budgets.reserve(info.id, WORST)
        const after = yield* keys.get(info.id)

        assert.isTrue(Result.isFailure(refusedToday))
        assert.strictEqual(tomorrow.amountNanoUsd, WORST)
        assert.strictEqual(after.spentNanoUsd, 0n)
        assert.strictEqual(after.periodStart, 86_400_000)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("holds and charges prepaid credit, and a top-up refills it", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({ name: "prepaid", creditNanoUsd: WORST * 2n })

        const outcomes = yield* reserveConcurrently([budgets], info.id, WORST, 5)
        const refusal = refusals(outcomes)[0]
        yield* Effect.forEach(granted(outcomes), (r) => budgets.settle(info.id, r.id, 1_000n))
        const afterSettle = yield* keys.get(info.id)
        yield* keys.topUp(info.id, WORST)
        const afterTopUp = yield* budgets.reserve(info.id, WORST * 3n - 2_000n)

        assert.strictEqual(granted(outcomes).length, 2)
        assert.include((refusal as RequestError).message, "prepaid credit")
        assert.strictEqual(afterSettle.creditNanoUsd, WORST * 2n - 2_000n)
        assert.strictEqual(afterSettle.reservedNanoUsd, 0n)
        assert.strictEqual(afterTopUp.amountNanoUsd, WORST * 3n - 2_000n)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("releases reservations left behind by a dead instance", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({ name: "stale", budgetNanoUsd: WORST })
        const orphan = yield* budgets.reserve(info.id, WORST)
        const blocked = yield* Effect.result(budgets.reserve(info.id, WORST))

        yield* TestClock.adjust(60_001)
        const released = yield* budgets.releaseExpired()
        const held = yield* keys.get(info.id)
        const again = yield* budgets.reserve(info.id, WORST)
        yield* budgets.settle(info.id, orphan.id, 500n)
        const charged = yield* keys.get(info.id)

        assert.isTrue(Result.isFailure(blocked))
        assert.strictEqual(released, 1)
        assert.strictEqual(held.reservedNanoUsd, 0n)
        assert.strictEqual(again.amountNanoUsd, WORST)
        // A late settlement still charges, but cannot release the hold twice:
        assert.strictEqual(charged.reservedNanoUsd, WORST)
        assert.strictEqual(charged.spentNanoUsd, 500n)
      }),
      60_000,
    ),
  )

  it.effect.skipIf(!enabled)("a refused reservation frees expired holds of its key by itself", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({ name: "self-heal", budgetNanoUsd: WORST })
        yield* budgets.reserve(info.id, WORST)

        yield* TestClock.adjust(60_001)
        const again = yield* budgets.reserve(info.id, WORST)

        assert.strictEqual(again.amountNanoUsd, WORST)
        assert.strictEqual((yield* keys.get(info.id)).reservedNanoUsd, WORST)
      }),
      60_000,
    ),
  )

  it.live.skipIf(!enabled)("reserves and settles a daily budget on today's clock", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({
          name: "live",
          budgetNanoUsd: WORST,
          budgetPeriod: "day",
        })

        const held = yield* budgets.reserve(info.id, WORST)
        yield* budgets.settle(info.id, held.id, 7n)
        const after = yield* keys.get(info.id)

        assert.strictEqual(after.spentNanoUsd, 7n)
        assert.strictEqual(after.periodStart, periodStart("day", Date.now()))
        assert.isAbove(after.createdAt, 1_700_000_000_000)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("refuses reservations for a key that does not exist", () =>
    withStore(
      Effect.gen(function* () {
        const budgets = yield* Budgets

        const refusal = yield* Effect.flip(budgets.reserve("0000000000000000", 1n))

        assert.strictEqual((refusal as RequestError).status, 401)
        assert.include((refusal as RequestError).message, "Incorrect API key")
      }),
    ),
  )

  it.effect.skipIf(!enabled)("refuses reservations for a revoked key", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const budgets = yield* Budgets
        const { info } = yield* keys.create({ name: "gone", budgetNanoUsd: WORST })
        yield* keys.revoke(info.id)

        const refusal = yield* Effect.flip(budgets.reserve(info.id, 1n))

        assert.strictEqual((refusal as RequestError).status, 401)
      }),
    ),
  )
})

const postgres = dialects.find((d) => d.dialect === "postgres")

describe.skipIf(postgres?.enabled !== true)("budgets across two instances on PostgreSQL", () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await openTestDatabase("postgres")
  })

  afterAll(async () => {
    await db.drop()
  })

  it.effect("200 concurrent reservations over two pools fit a 10-request budget 10 times", () =>
    Effect.gen(function* () {
      const one = yield* Layer.build(instanceLayer(db))
      const two = yield* Layer.build(instanceLayer(db))
      const instances = [Context.get(one, Budgets), Context.get(two, Budgets)]
      const keys = Context.get(one, KeyStore)
      const { info } = yield* keys.create({ name: "shared", budgetNanoUsd: WORST * 10n })

      const outcomes = yield* reserveConcurrently(instances, info.id, WORST, 200)
      const byInstance = granted(outcomes)
      yield* Effect.forEach(byInstance, (r) =>
        Context.get(two, Budgets).settle(info.id, r.id, WORST),
      )
      const settled = yield* keys.get(info.id)

      assert.strictEqual(byInstance.length, 10)
      assert.strictEqual(settled.spentNanoUsd, WORST * 10n)
      assert.strictEqual(settled.reservedNanoUsd, 0n)
    }),
  )
})
