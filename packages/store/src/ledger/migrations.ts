import type { Migration } from "../sql/migration.ts"

// Booleans differ: SQLite stores 0/1, PostgreSQL a real BOOLEAN.
const columns = (booleanType: string) => `(
  request_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT,
  deployment_id TEXT,
  prompt_tokens BIGINT NOT NULL,
  cached_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  completion_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL,
  cost_nano_usd BIGINT NOT NULL,
  status INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  ttft_ms INTEGER,
  attempts INTEGER NOT NULL,
  estimated ${booleanType} NOT NULL,
  created_at BIGINT NOT NULL
)`

// Usage reports filter by time (and often by key) before grouping.
const indexes = [
  "CREATE INDEX ledger_entries_created_at ON ledger_entries (created_at)",
  "CREATE INDEX ledger_entries_key_created_at ON ledger_entries (key_id, created_at)",
]

/** The ledger's tables: one row per request, keyed by request id so replays never double count. */
export const ledgerMigrations: ReadonlyArray<Migration> = [
  {
    id: 1000,
    name: "create ledger_entries",
    sqlite: [`CREATE TABLE ledger_entries ${columns("INTEGER")}`, ...indexes],
    postgres: [`CREATE TABLE ledger_entries ${columns("BOOLEAN")}`, ...indexes],
  },
]
