/**
 * @tollgate/store: SQL implementations of the core's storage services (SQLite embedded default,
 * PostgreSQL for many instances). This file only re-exports them.
 */

export * from "./admission/index.ts"
export * from "./budgets/index.ts"
export * from "./keys/index.ts"
export * from "./ledger/sql-ledger.ts"
export * from "./limits/index.ts"
export * from "./sql/migration.ts"
export * from "./sql/migrations.ts"
export * from "./sql/run-migrations.ts"
export * from "./sql/sqlite-client.ts"
export * from "./sql/store-database.ts"
