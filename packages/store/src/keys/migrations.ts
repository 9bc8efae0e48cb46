import type { Migration } from "../sql/migration.ts"

// One row per virtual key, its limits and its budget counters together, so that a reservation
// is a single conditional UPDATE of one row. Amounts are nano-USD, times epoch ms.
// reserved_nano_usd holds in-flight worst cases against the budget and the credit alike.
const createKeys = `CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  allowed_models TEXT,
  default_max_tokens INTEGER,
  max_tokens_ceiling INTEGER,
  rpm INTEGER,
  tpm INTEGER,
  budget_nano_usd BIGINT,
  budget_period TEXT NOT NULL CHECK (budget_period IN ('day', 'month', 'lifetime')),
  period_start BIGINT NOT NULL,
  spent_nano_usd BIGINT NOT NULL,
  reserved_nano_usd BIGINT NOT NULL,
  credit_nano_usd BIGINT,
  revoked_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
)`

/** The virtual keys table (secrets stored only as SHA-256 hashes). */
export const keyMigrations: ReadonlyArray<Migration> = [
  { id: 2000, name: "create api_keys", sqlite: [createKeys], postgres: [createKeys] },
]
