import type { LedgerEntry } from "@tollgate/core"
import { Array as Arr, Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"

// 17 columns a row: 500 rows stay far below SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT = 500

const toRow = (entry: LedgerEntry): Record<string, unknown> => ({
  request_id: entry.requestId,
  key_id: entry.keyId,
  model: entry.model,
  provider: entry.provider,
  deployment_id: entry.deploymentId,
  prompt_tokens: entry.promptTokens,
  cached_tokens: entry.cachedTokens,
  cache_write_tokens: entry.cacheWriteTokens,
  completion_tokens: entry.completionTokens,
  reasoning_tokens: entry.reasoningTokens,
  cost_nano_usd: entry.costNanoUsd,
  status: entry.status,
  latency_ms: Math.round(entry.latencyMs),
  ttft_ms: entry.ttftMs === null ? null : Math.round(entry.ttftMs),
  attempts: entry.attempts,
  estimated: entry.estimated,
  created_at: entry.createdAt,
})

/**
 * Inserts the entries in one transaction. A request id already present is skipped, so replaying
 * a journal that was partly committed never counts a request twice.
 */
export const insertEntries = (
  entries: ReadonlyArray<LedgerEntry>,
): Effect.Effect<void, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    // The first occurrence wins: a duplicate id inside one batch is the same request replayed.
    const byId = new Map<string, LedgerEntry>()
    for (const entry of entries) if (!byId.has(entry.requestId)) byId.set(entry.requestId, entry)
    const rows = [...byId.values()].map(toRow)

    const insertAll = Effect.gen(function* () {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_STATEMENT)
        if (!Arr.isReadonlyArrayNonEmpty(chunk)) continue
        yield* sql`INSERT INTO ledger_entries ${sql.insert(chunk)}
          ON CONFLICT (request_id) DO NOTHING`
      }
    })

    if (rows.length > 0) yield* sql.withTransaction(insertAll)
  })
