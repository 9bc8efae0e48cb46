import { randomUUID } from "node:crypto"
import type { RequestError } from "@tollgate/core"
import { Clock, Context, Effect, Layer, Schedule } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { z } from "zod"
import { invalidKey, revokedKey } from "../keys/key-errors.ts"
import { KEY_COLUMNS, parseKeyRow } from "../keys/key-row.ts"
import { periodStart } from "./period.ts"
import { quotaError } from "./quota-error.ts"

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

const Held = z.object({
  key_id: z.string(),
  amount: z.union([z.bigint(), z.number().int(), z.string().regex(/^-?\d+$/)]),
})

// Released in batches so that one sweep never holds thousands of row locks.
const SWEEP_BATCH = 500

/** Builds the budgets over the current `SqlClient`. */
export const makeBudgets = (options: BudgetsOptions = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ttl = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS

    // The start of the key's current period, computed in the statement from the row's own period
    // so that reading the period and resetting the spend cannot race:
    const currentPeriod = (now: number) =>
      sql`(CASE budget_period
        WHEN 'day' THEN CAST(${periodStart("day", now)} AS BIGINT)
        WHEN 'month' THEN CAST(${periodStart("month", now)} AS BIGINT)
        ELSE CAST(0 AS BIGINT) END)`

    const hold = (keyId: string, amount: bigint, now: number) => {
      const period = currentPeriod(now)
      const spent = sql`(CASE WHEN period_start < ${period} THEN 0 ELSE spent_nano_usd END)`
      return Effect.gen(function* () {
        // One conditional UPDATE: the row lock (PostgreSQL) or the write lock (SQLite) makes
        // the check and the hold a single step.
        const updated = yield* sql`UPDATE api_keys SET
            spent_nano_usd = ${spent},
            period_start = CASE WHEN period_start < ${period} THEN ${period} ELSE period_start END,
            reserved_nano_usd = reserved_nano_usd + ${amount}
          WHERE id = ${keyId} AND revoked_at IS NULL
            AND (budget_nano_usd IS NULL
              OR ${spent} + reserved_nano_usd + ${amount} <= budget_nano_usd)
            AND (credit_nano_usd IS NULL OR reserved_nano_usd + ${amount} <= credit_nano_usd)
          RETURNING id`
        if (updated.length === 0) return undefined

        const id = randomUUID()
        yield* sql`INSERT INTO budget_reservations ${sql.insert({
          id,
          key_id: keyId,
          amount_nano_usd: amount,
          expires_at: now + ttl,
          created_at: now,
        })}`
        return { id, keyId, amountNanoUsd: amount }
      }).pipe(sql.withTransaction)
    }

    const releaseExpired = (keyId?: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const ofKey = keyId === undefined ? sql`` : sql`AND key_id = ${keyId}`
        // PostgreSQL: instances sweeping together skip each other's rows instead of deadlocking.
        const lock = sql.onDialectOrElse({
          pg: () => sql`FOR UPDATE SKIP LOCKED`,
          orElse: () => sql``,
        })
        const rows = yield* sql`DELETE FROM budget_reservations WHERE id IN (
            SELECT id FROM budget_reservations WHERE expires_at <= ${now} ${ofKey}
            ORDER BY id LIMIT ${SWEEP_BATCH} ${lock})
          RETURNING key_id, CAST(amount_nano_usd AS TEXT) AS amount`

        const byKey = new Map<string, bigint>()
        for (const row of rows) {
          const held = Held.parse(row)
          byKey.set(held.key_id, (byKey.get(held.key_id) ?? 0n) + BigInt(held.amount))
        }

        // Keys in a fixed order, so two transactions never wait on each other's rows in a cycle:
        for (const id of [...byKey.keys()].sort()) {
          yield* sql`UPDATE api_keys SET reserved_nano_usd = reserved_nano_usd - ${byKey.get(id) ?? 0n}
            WHERE id = ${id}`
        }
        return rows.length
      }).pipe(sql.withTransaction)

    const explainRefusal = (keyId: string, amount: bigint, now: number) =>
      Effect.gen(function* () {
        const rows =
          yield* sql`SELECT ${sql.literal(KEY_COLUMNS)} FROM api_keys WHERE id = ${keyId}`
        const row = rows[0]
        const record = row === undefined ? undefined : parseKeyRow(row, now)
        if (record === undefined) return yield* invalidKey(keyId)
        if (record.revokedAt !== undefined) return yield* revokedKey(keyId)
        return yield* quotaError(record, amount, now)
      })

    const reserve = (keyId: string, amount: bigint) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const first = yield* hold(keyId, amount, now)
        if (first !== undefined) return first

        // Holds left by a dead instance may be what fills the budget: free them and try again.
        const released = yield* releaseExpired(keyId)
        const second = released > 0 ? yield* hold(keyId, amount, now) : undefined
        if (second !== undefined) return second

        return yield* explainRefusal(keyId, amount, now)
      })

    const settle = (keyId: string, reservationId: string | undefined, actual: bigint) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const period = currentPeriod(now)

        // Deleting the row is what makes the release happen once, even if the sweep races us.
        let held = 0n
        if (reservationId !== undefined) {
          const rows = yield* sql`DELETE FROM budget_reservations WHERE id = ${reservationId}
            RETURNING key_id, CAST(amount_nano_usd AS TEXT) AS amount`
          const row = rows[0]
          held = row === undefined ? 0n : BigInt(Held.parse(row).amount)
        }

        yield* sql`UPDATE api_keys SET
            spent_nano_usd =
              (CASE WHEN period_start < ${period} THEN 0 ELSE spent_nano_usd END) + ${actual},
            period_start = CASE WHEN period_start < ${period} THEN ${period} ELSE period_start END,
            reserved_nano_usd = reserved_nano_usd - ${held},
            credit_nano_usd = credit_nano_usd - ${actual}
          WHERE id = ${keyId}`
      }).pipe(sql.withTransaction)

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
