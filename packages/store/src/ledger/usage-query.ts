import type { UsageGroupBy, UsageQuery, UsageRow } from "@tollgate/core"
import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import type { SqlDialect } from "../sql/store-database.ts"

// Fixed SQL per dimension, never built from input. Days are UTC calendar dates.
const groupExpression = (groupBy: UsageGroupBy, dialect: SqlDialect): string => {
  switch (groupBy) {
    case "model":
      return "model"
    case "key":
      return "key_id"
    case "provider":
      return "COALESCE(provider, 'none')"
    case "day":
      return dialect === "postgres"
        ? "to_char(to_timestamp(created_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        : "strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')"
  }
}

interface GroupRow {
  readonly grp: string
  readonly requests: string
  readonly prompt_tokens: string
  readonly completion_tokens: string
  readonly cost_nano_usd: string
}

/**
 * Totals per group for requests created in [from, to), optionally for one key. Sums come back as
 * text and are parsed to bigint, so no driver rounds them through a double.
 */
export const queryUsage = (
  query: UsageQuery,
  dialect: SqlDialect,
): Effect.Effect<ReadonlyArray<UsageRow>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const group = sql.literal(groupExpression(query.groupBy, dialect))
    const keyFilter = query.keyId === undefined ? sql.literal("") : sql`AND key_id = ${query.keyId}`

    const rows = yield* sql<GroupRow>`
      SELECT ${group} AS grp,
        CAST(COUNT(*) AS TEXT) AS requests,
        CAST(COALESCE(SUM(prompt_tokens), 0) AS TEXT) AS prompt_tokens,
        CAST(COALESCE(SUM(completion_tokens), 0) AS TEXT) AS completion_tokens,
        CAST(COALESCE(SUM(cost_nano_usd), 0) AS TEXT) AS cost_nano_usd
      FROM ledger_entries
      WHERE created_at >= ${query.from} AND created_at < ${query.to} ${keyFilter}
      GROUP BY ${group}
      ORDER BY ${group}`

    return rows.map((row) => ({
      group: row.grp,
      requests: Number(row.requests),
      promptTokens: Number(row.prompt_tokens),
      completionTokens: Number(row.completion_tokens),
      costNanoUsd: BigInt(row.cost_nano_usd),
    }))
  })
