import { Effect } from "effect"
import type { SqlClient, Statement } from "effect/sql"
import { z } from "zod"
import { currentSpentSql, nextPeriodStartSql } from "./current-period.ts"

const Amount = z.object({
  amount: z.union([z.bigint(), z.number().int(), z.string().regex(/^-?\d+$/)]),
})

/**
 * Charges `actual` to the key's spend (and prepaid credit) and releases its reservation. Deleting
 * the reservation row is what makes the release happen once, even when the expiry sweep races
 * this settlement; a reservation already swept releases nothing but the cost is still charged.
 * On PostgreSQL this is one statement; on SQLite one transaction.
 */
export const settleBudget = (
  sql: SqlClient.SqlClient,
  settlement: {
    readonly keyId: string
    readonly reservationId: string | undefined
    readonly actual: bigint
    readonly nowMs: number
  },
) => {
  const { keyId, reservationId, actual, nowMs } = settlement

  const charge = (released: Statement.Fragment | bigint) =>
    sql`UPDATE api_keys SET
        spent_nano_usd = ${currentSpentSql(sql, nowMs)} + ${actual},
        period_start = ${nextPeriodStartSql(sql, nowMs)},
        reserved_nano_usd = reserved_nano_usd - ${released},
        credit_nano_usd = credit_nano_usd - ${actual}
      WHERE id = ${keyId}`

  const postgres = () =>
    Effect.asVoid(
      reservationId === undefined
        ? charge(0n)
        : sql`WITH released AS (
            DELETE FROM budget_reservations WHERE id = ${reservationId}
            RETURNING amount_nano_usd
          )
          ${charge(sql.literal("COALESCE((SELECT amount_nano_usd FROM released), 0)"))}`,
    )

  const sqlite = () => {
    // Without a hold the charge is one UPDATE, atomic on its own: a transaction around it would
    // only add BEGIN and COMMIT to every request of a key with no budget.
    if (reservationId === undefined) return Effect.asVoid(charge(0n))

    return Effect.gen(function* () {
      const rows = yield* sql`DELETE FROM budget_reservations WHERE id = ${reservationId}
        RETURNING CAST(amount_nano_usd AS TEXT) AS amount`
      const row = rows[0]
      yield* charge(row === undefined ? 0n : BigInt(Amount.parse(row).amount))
    }).pipe(sql.withTransaction)
  }

  return sql.onDialectOrElse({ pg: postgres, orElse: sqlite })
}
