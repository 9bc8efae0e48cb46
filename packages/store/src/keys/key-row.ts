import { z } from "zod"
import { periodStart } from "../budgets/period.ts"
import type { KeyInfo, KeyRecord } from "./key-info.ts"

// Drivers differ: PostgreSQL returns BIGINT as bigint, SQLite as number; money is read as text.
const int = z
  .union([z.number(), z.bigint(), z.string().regex(/^-?\d+$/)])
  .transform((value) => Number(value))
const nullableInt = int.nullable()
const nano = z
  .union([z.bigint(), z.number().int(), z.string().regex(/^-?\d+$/)])
  .transform((value) => BigInt(value))

const KeyRow = z.object({
  id: z.string(),
  name: z.string(),
  secret_hash: z.string(),
  allowed_models: z.string().nullable(),
  default_max_tokens: nullableInt,
  max_tokens_ceiling: nullableInt,
  rpm: nullableInt,
  tpm: nullableInt,
  budget_nano_usd: nano.nullable(),
  budget_period: z.enum(["day", "month", "lifetime"]),
  period_start: int,
  spent_nano_usd: nano,
  reserved_nano_usd: nano,
  credit_nano_usd: nano.nullable(),
  revoked_at: nullableInt,
  created_at: int,
  updated_at: int,
})

const ModelList = z.array(z.string())

/** The columns every key query selects; money as text so that SQLite keeps all 64 bits. */
export const KEY_COLUMNS = `id, name, secret_hash, allowed_models, default_max_tokens,
  max_tokens_ceiling, rpm, tpm, CAST(budget_nano_usd AS TEXT) AS budget_nano_usd, budget_period,
  period_start, CAST(spent_nano_usd AS TEXT) AS spent_nano_usd,
  CAST(reserved_nano_usd AS TEXT) AS reserved_nano_usd,
  CAST(credit_nano_usd AS TEXT) AS credit_nano_usd, revoked_at, created_at, updated_at`

const defined = <K extends string, V>(key: K, value: V | null) =>
  (value === null ? {} : { [key]: value }) as { [P in K]?: V }

/**
 * Reads one `api_keys` row. Spend recorded in an earlier period shows as 0, as the next
 * reservation will make it.
 */
export const parseKeyRow = (row: unknown, nowMs: number): KeyRecord => {
  const r = KeyRow.parse(row)
  const currentStart = periodStart(r.budget_period, nowMs)
  const stale = r.period_start < currentStart
  const models = r.allowed_models === null ? null : ModelList.parse(JSON.parse(r.allowed_models))

  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    ...defined("allowedModels", models),
    ...defined("defaultMaxTokens", r.default_max_tokens),
    ...defined("maxTokensCeiling", r.max_tokens_ceiling),
    ...defined("budgetNanoUsd", r.budget_nano_usd),
    budgetPeriod: r.budget_period,
    ...defined("rpm", r.rpm),
    ...defined("tpm", r.tpm),
    ...defined("creditNanoUsd", r.credit_nano_usd),
    spentNanoUsd: stale ? 0n : r.spent_nano_usd,
    reservedNanoUsd: r.reserved_nano_usd,
    periodStart: stale ? currentStart : r.period_start,
    ...defined("revokedAt", r.revoked_at),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** The record without its hash, as admin listings show it. */
export const toKeyInfo = (record: KeyRecord): KeyInfo => {
  const { secretHash: _hash, ...info } = record
  return info
}
