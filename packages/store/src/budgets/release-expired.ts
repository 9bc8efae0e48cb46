import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import { z } from "zod"

const Held = z.object({
  key_id: z.string(),
  amount: z.union([z.bigint(), z.number().int(), z.string().regex(/^-?\d+$/)]),
})

// Released in batches so that one sweep never holds thousands of row locks.
const SWEEP_BATCH = 500

/**
 * Releases reservations whose expiry passed (their instance died mid-request), of one key or of
 * all, and returns how many. On PostgreSQL `SKIP LOCKED` lets instances sweep at the same time
 * without waiting on each other, and keys are updated in id order so that no two transactions
 * wait on each other in a cycle.
 */
export const releaseExpiredHolds = (
  sql: SqlClient.SqlClient,
  nowMs: number,
  keyId: string | undefined,
) =>
  Effect.gen(function* () {
    const ofKey = keyId === undefined ? sql`` : sql`AND key_id = ${keyId}`
    const lock = sql.onDialectOrElse({ pg: () => sql`FOR UPDATE SKIP LOCKED`, orElse: () => sql`` })
    const rows = yield* sql`DELETE FROM budget_reservations WHERE id IN (
        SELECT id FROM budget_reservations WHERE expires_at <= ${nowMs} ${ofKey}
        ORDER BY id LIMIT ${SWEEP_BATCH} ${lock})
      RETURNING key_id, CAST(amount_nano_usd AS TEXT) AS amount`

    const byKey = new Map<string, bigint>()
    for (const row of rows) {
      const held = Held.parse(row)
      byKey.set(held.key_id, (byKey.get(held.key_id) ?? 0n) + BigInt(held.amount))
    }

    for (const [id, amount] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
      yield* sql`UPDATE api_keys SET reserved_nano_usd = reserved_nano_usd - ${amount}
        WHERE id = ${id}`
    }
    return rows.length
  }).pipe(sql.withTransaction)
