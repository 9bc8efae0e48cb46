import type { SqlClient } from "effect/sql"
import { periodStart } from "./period.ts"

/**
 * SQL for the start of a key's current budget period, read from the row's own `budget_period`
 * inside the statement, so that reading the period and resetting the spend cannot race.
 */
export const currentPeriodSql = (sql: SqlClient.SqlClient, nowMs: number) =>
  sql`(CASE budget_period
    WHEN 'day' THEN CAST(${periodStart("day", nowMs)} AS BIGINT)
    WHEN 'month' THEN CAST(${periodStart("month", nowMs)} AS BIGINT)
    ELSE CAST(0 AS BIGINT) END)`

/** SQL for the key's spend in its current period: what was spent before it began counts 0. */
export const currentSpentSql = (sql: SqlClient.SqlClient, nowMs: number) =>
  sql`(CASE WHEN period_start < ${currentPeriodSql(sql, nowMs)} THEN 0 ELSE spent_nano_usd END)`

/** SQL for `period_start` moved to the current period when a new one began. */
export const nextPeriodStartSql = (sql: SqlClient.SqlClient, nowMs: number) => {
  const period = currentPeriodSql(sql, nowMs)
  return sql`(CASE WHEN period_start < ${period} THEN ${period} ELSE period_start END)`
}
