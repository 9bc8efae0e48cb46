import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { currentSpentSql, nextPeriodStartSql } from "./current-period.ts"

/** A granted hold, as the reservation row records it. */
export interface Hold {
  readonly id: string
  readonly keyId: string
  readonly amountNanoUsd: bigint
}

/**
 * Holds `amount` against the key's budget and credit when it fits, and records the hold with its
 * expiry; undefined when it does not fit (or the key is gone or revoked).
 *
 * The check and the hold are one conditional UPDATE: PostgreSQL's row lock makes a concurrent
 * UPDATE of the key wait and then re-check the condition on the updated row, and SQLite's
 * `BEGIN IMMEDIATE` lets one writer in at a time. On PostgreSQL the UPDATE and the INSERT of the
 * reservation are one statement (a data-modifying CTE): one round trip, the row locked only for
 * that statement.
 */
export const holdBudget = (
  sql: SqlClient.SqlClient,
  hold: { readonly keyId: string; readonly amount: bigint; readonly nowMs: number },
  expiresAt: number,
) => {
  const { keyId, amount, nowMs } = hold
  const id = randomUUID()
  const spent = currentSpentSql(sql, nowMs)
  const update = sql`UPDATE api_keys SET
      spent_nano_usd = ${spent},
      period_start = ${nextPeriodStartSql(sql, nowMs)},
      reserved_nano_usd = reserved_nano_usd + ${amount}
    WHERE id = ${keyId} AND revoked_at IS NULL
      AND (budget_nano_usd IS NULL OR ${spent} + reserved_nano_usd + ${amount} <= budget_nano_usd)
      AND (credit_nano_usd IS NULL OR reserved_nano_usd + ${amount} <= credit_nano_usd)
    RETURNING id`

  const granted: Hold = { id, keyId, amountNanoUsd: amount }

  const postgres = () =>
    Effect.map(
      sql`WITH held AS (${update})
        INSERT INTO budget_reservations (id, key_id, amount_nano_usd, expires_at, created_at)
        SELECT ${id}, held.id, CAST(${amount} AS BIGINT), CAST(${expiresAt} AS BIGINT),
          CAST(${nowMs} AS BIGINT)
        FROM held
        RETURNING id`,
      (rows) => (rows.length === 0 ? undefined : granted),
    )

  const sqlite = () =>
    Effect.gen(function* () {
      const updated = yield* update
      if (updated.length === 0) return undefined

      yield* sql`INSERT INTO budget_reservations ${sql.insert({
        id,
        key_id: keyId,
        amount_nano_usd: amount,
        expires_at: expiresAt,
        created_at: nowMs,
      })}`
      return granted
    }).pipe(sql.withTransaction)

  return sql.onDialectOrElse({ pg: postgres, orElse: sqlite })
}
