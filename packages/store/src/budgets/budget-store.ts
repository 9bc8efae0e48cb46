import type { RequestError } from "@tollgate/core"
import { Clock, Context, Effect, Layer, Schedule } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { invalidKey, revokedKey } from "../keys/key-errors.ts"
import { KEY_COLUMNS, parseKeyRow } from "../keys/key-row.ts"
import { holdBudget } from "./hold-budget.ts"
import { quotaError } from "./quota-error.ts"
import { releaseExpiredHolds } from "./release-expired.ts"
import { settleBudget } from "./settle-budget.ts"

/** Worst-case cost held for one request until it is settled or expires. */
export interface Reservation {
  readonly id: string
  readonly keyId: string
  readonly amountNanoUsd: bigint
}

/** How long reservations live and how often stale ones are swept. */
export interface BudgetsOptions {
  /**
   * A reservation not settled by then (its instance died mid-request) is released. Must exceed
   * the longest request a gateway lets run; default 15 minutes.
   */
  readonly reservationTtlMs?: number | undefined
  /** How often each instance releases expired reservations; 0 disables the sweep. Default 60 s. */
  readonly sweepIntervalMs?: number | undefined
}

/** Default reservation lifetime: longer than any request's overall deadline. */
export const DEFAULT_RESERVATION_TTL_MS = 15 * 60_000

/**
 * Budgets and prepaid credit by reservation: `reserve` holds a request's worst-case cost, or
 * refuses when it does not fit; `settle` charges the exact cost and frees the hold.
 */
export class Budgets extends Context.Service<
  Budgets,
  {
    /**
     * Holds `amountNanoUsd` against the key's budget and credit in one atomic step, so that spend
     * plus holds never exceed either, whatever the concurrency and the number of instances.
     * Fails with 429 `insufficient_quota` (or 401 for a revoked key).
     */
    readonly reserve: (
      keyId: string,
      amountNanoUsd: bigint,
    ) => Effect.Effect<Reservation, RequestError | SqlError.SqlError>
    /**
     * Charges `actualNanoUsd` to the key's spend (and credit) and releases the reservation, if
     * it still exists. Without a reservation it only charges.
     */
    readonly settle: (
      keyId: string,
      reservationId: string | undefined,
      actualNanoUsd: bigint,
    ) => Effect.Effect<void, SqlError.SqlError>
    /** Releases reservations past their expiry (of one key, or all); returns how many. */
    readonly releaseExpired: (keyId?: string) => Effect.Effect<number, SqlError.SqlError>
  }
>()("tollgate/Budgets") {}

/** Builds the budgets over the current `SqlClient`. */
export const makeBudgets = (options: BudgetsOptions = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ttl = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS

    const releaseExpired = (keyId?: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => releaseExpiredHolds(sql, now, keyId))

    const explainRefusal = (keyId: string, amount: bigint, now: number) =>
      Effect.gen(function* () {
        const rows = yield* sql`SELECT ${sql.literal(KEY_COLUMNS)} FROM api_keys
          WHERE id = ${keyId}`
        const row = rows[0]
        const record = row === undefined ? undefined : parseKeyRow(row, now)
        if (record === undefined) return yield* invalidKey(keyId)
        if (record.revokedAt !== undefined) return yield* revokedKey(keyId)
        return yield* quotaError(record, amount, now)
      })

    const reserve = (keyId: string, amount: bigint) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const hold = { keyId, amount, nowMs: now }
        const first = yield* holdBudget(sql, hold, now + ttl)
        if (first !== undefined) return first

        // Holds left by a dead instance may be what fills the budget: free them and try again.
        const released = yield* releaseExpired(keyId)
        const second = released > 0 ? yield* holdBudget(sql, hold, now + ttl) : undefined
        if (second !== undefined) return second

        return yield* explainRefusal(keyId, amount, now)
      })

    const settle = (keyId: string, reservationId: string | undefined, actual: bigint) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        settleBudget(sql, { keyId, reservationId, actual, nowMs: now }),
      )

    if (options.sweepIntervalMs !== 0) {
      yield* releaseExpired().pipe(
        Effect.ignore,
        Effect.repeat(Schedule.spaced(options.sweepIntervalMs ?? 60_000)),
        Effect.forkScoped,
      )
    }

    return Budgets.of({ reserve, settle, releaseExpired })
  })

/** The `Budgets` over the store's `SqlClient`, sweeping expired reservations in the background. */
export const BudgetsLive = (options: BudgetsOptions = {}) =>
  Layer.effect(Budgets, makeBudgets(options))
