import { Effect } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import type { Migration } from "./migration.ts"
import type { SqlDialect } from "./store-database.ts"

/** Arbitrary constant shared by every Tollgate instance: the advisory lock guarding migrations. */
const MIGRATION_LOCK_KEY = 7_310_452_019

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in id order, in one
 * transaction. On PostgreSQL an advisory lock makes instances starting together take turns;
 * on SQLite `BEGIN IMMEDIATE` does the same through the file's write lock.
 */
export const runMigrations = (
  dialect: SqlDialect,
  migrations: ReadonlyArray<Migration>,
): Effect.Effect<ReadonlyArray<number>, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ordered = [...migrations].sort((a, b) => a.id - b.id)

    assertUniqueIds(ordered)

    const apply = Effect.gen(function* () {
      // The lock comes first: even CREATE TABLE IF NOT EXISTS races on PostgreSQL.
      if (dialect === "postgres") {
        yield* sql.unsafe(`SELECT 1 FROM (SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})) l`)
      }

      yield* sql.unsafe(
        "CREATE TABLE IF NOT EXISTS schema_migrations " +
          "(id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
      )

      const rows = yield* sql.unsafe<{ id: string }>(
        "SELECT CAST(id AS TEXT) AS id FROM schema_migrations",
      )
      const applied = new Set(rows.map((row) => Number(row.id)))
      const pending = ordered.filter((migration) => !applied.has(migration.id))

      for (const migration of pending) {
        const statements = dialect === "postgres" ? migration.postgres : migration.sqlite
        for (const statement of statements) yield* sql.unsafe(statement)
        yield* sql`INSERT INTO schema_migrations (id, name, applied_at)
          VALUES (${migration.id}, ${migration.name}, ${Date.now()})`
      }

      return pending.map((migration) => migration.id)
    })

    return yield* sql.withTransaction(apply)
  })

const assertUniqueIds = (ordered: ReadonlyArray<Migration>): void => {
  for (let i = 1; i < ordered.length; i++) {
    const previous = ordered[i - 1]
    const current = ordered[i]
    if (previous !== undefined && current !== undefined && previous.id === current.id) {
      throw new Error(`Two migrations share id ${current.id}: ${previous.name}, ${current.name}`)
    }
  }
}
