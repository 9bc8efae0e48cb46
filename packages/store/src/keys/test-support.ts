import { Layer } from "effect"
import { BudgetsLive, type BudgetsOptions } from "../budgets/budget-store.ts"
import { layerStoreDatabase } from "../sql/store-database.ts"
import { createTestDatabase, postgresOrSkip, type TestDatabase } from "../sql/testing.ts"
import { KeyStoreLive, type KeyStoreOptions } from "./key-store.ts"

/** The dialects a keys/budgets suite runs on; PostgreSQL only when reachable (required in CI). */
export const testDialects = async () => {
  const postgres = await postgresOrSkip()
  return [
    { dialect: "sqlite" as const, enabled: true },
    { dialect: "postgres" as const, enabled: postgres },
  ]
}

/** A fresh database for a suite, dropped by the returned `drop`. */
export const openTestDatabase = async (dialect: "sqlite" | "postgres"): Promise<TestDatabase> => {
  const db = await createTestDatabase(dialect)
  if (db === undefined) throw new Error(`${dialect} test database unavailable`)
  return db
}

/**
 * One gateway instance's store: its own connection pool, key cache and budgets over the shared
 * test database. Build it twice for two instances. The background sweep is off by default.
 */
export const instanceLayer = (
  db: TestDatabase,
  options: { readonly keys?: KeyStoreOptions; readonly budgets?: BudgetsOptions } = {},
) =>
  Layer.mergeAll(
    KeyStoreLive(options.keys),
    BudgetsLive({ sweepIntervalMs: 0, ...options.budgets }),
  ).pipe(Layer.provideMerge(layerStoreDatabase(db.options)))
