import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import type { SqlDialect, StoreDatabaseOptions } from "./store-database.ts"

/** The PostgreSQL the tests use; override with TOLLGATE_TEST_DATABASE_URL. */
export const postgresTestUrl =
  process.env.TOLLGATE_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test"

/** A throwaway database: a temp dir for SQLite, a fresh schema for PostgreSQL. */
export interface TestDatabase {
  readonly dialect: SqlDialect
  /** Pass to `layerStoreDatabase`; every layer built from it sees the same data. */
  readonly options: StoreDatabaseOptions
  /** Removes the temp dir or drops the schema. */
  readonly drop: () => Promise<void>
}

const runOnPostgres = (statement: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(statement)
  }).pipe(
    Effect.provide(
      PgClient.layer({ url: Redacted.make(postgresTestUrl), connectTimeout: "2 seconds" }),
    ),
    Effect.scoped,
  )

/** Creates a test database of the dialect; undefined when PostgreSQL cannot be reached. */
export const createTestDatabase = async (
  dialect: SqlDialect,
): Promise<TestDatabase | undefined> => {
  const dataDir = mkdtempSync(join(tmpdir(), "tollgate-store-"))
  const removeDir = async () => rmSync(dataDir, { recursive: true, force: true })

  if (dialect === "sqlite") return { dialect, options: { dataDir }, drop: removeDir }

  // A schema per run keeps parallel runs on one database apart.
  const suffix = Math.random().toString(36).slice(2, 8)
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${suffix}`
  const created = await Effect.runPromise(
    runOnPostgres(`CREATE SCHEMA ${schema}`).pipe(
      Effect.as(true),
      Effect.catchCause(() => Effect.succeed(false)),
    ),
  )
  if (!created) {
    await removeDir()
    return undefined
  }

  return {
    dialect,
    options: { url: postgresTestUrl, schema, dataDir },
    drop: async () => {
      await Effect.runPromise(runOnPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
      await removeDir()
    },
  }
}

/**
 * Whether the PostgreSQL half of a suite runs: it does when the server answers; when it does not,
 * CI fails (throws) and a local run skips with a message.
 */
export const postgresOrSkip = async (): Promise<boolean> => {
  const probe = await createTestDatabase("postgres")
  if (probe !== undefined) {
    await probe.drop()
    return true
  }
  const message = `PostgreSQL is not reachable at ${postgresTestUrl}`
  if (process.env.CI === "true") throw new Error(`${message} (required in CI)`)
  console.warn(`${message}: skipping the PostgreSQL tests`)
  return false
}
