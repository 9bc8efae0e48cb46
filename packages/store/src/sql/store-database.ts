import { mkdirSync } from "node:fs"
import { hostname } from "node:os"
import { join, resolve } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import { Reactivity } from "effect/reactivity"
import { SqlClient, type SqlError } from "effect/sql"
import type { Migration } from "./migration.ts"
import { allMigrations } from "./migrations.ts"
import { runMigrations } from "./run-migrations.ts"
import { makeSqliteClient } from "./sqlite-client.ts"

/** The SQL dialect a store runs on; migrations and a few queries differ by it. */
export type SqlDialect = "sqlite" | "postgres"

/** Which database the store uses and where this instance keeps its local files. */
export class StoreDatabase extends Context.Service<
  StoreDatabase,
  {
    readonly dialect: SqlDialect
    /** Local directory (`.tollgate/` by default) for the SQLite file and the ledger journal. */
    readonly dataDir: string
    /** Unique per running process; names this instance's journal among others sharing dataDir. */
    readonly instanceId: string
  }
>()("tollgate/StoreDatabase") {}

/** How to open the store; every field is optional. */
export interface StoreDatabaseOptions {
  /**
   * `postgres://...` (or `postgresql://`) selects PostgreSQL; `sqlite:<path>` or nothing selects
   * the embedded SQLite file `<dataDir>/tollgate.db`.
   */
  readonly url?: string | undefined
  /** Defaults to `.tollgate` in the working directory. */
  readonly dataDir?: string | undefined
  /** PostgreSQL schema to use (sets `search_path`); tests use one schema per run. */
  readonly schema?: string | undefined
  /** Defaults to every migration of the store. */
  readonly migrations?: ReadonlyArray<Migration> | undefined
  /** PostgreSQL pool size; defaults to 10. */
  readonly maxConnections?: number | undefined
}

/** The dialect a database URL selects. */
export const dialectOf = (url: string | undefined): SqlDialect =>
  url !== undefined && /^postgres(ql)?:\/\//i.test(url) ? "postgres" : "sqlite"

const sqliteFilename = (url: string | undefined, dataDir: string): string => {
  if (url === undefined || url === "") return join(dataDir, "tollgate.db")
  if (url === ":memory:") return url
  if (url.startsWith("sqlite:")) return resolve(url.slice("sqlite:".length).replace(/^\/\//, ""))
  throw new Error(`Unsupported database URL (use postgres://... or sqlite:<path>): ${url}`)
}

const clientLayer = (
  options: StoreDatabaseOptions,
  dataDir: string,
): Layer.Layer<SqlClient.SqlClient, SqlError.SqlError> => {
  const url = options.url
  if (url !== undefined && dialectOf(url) === "postgres") {
    return PgClient.layer({
      url: Redacted.make(url),
      maxConnections: options.maxConnections ?? 10,
      applicationName: "tollgate",
      startupParameters: options.schema === undefined ? undefined : { search_path: options.schema },
    })
  }

  // The data directory must exist before SQLite creates its file inside it.
  const open = Effect.suspend(() => {
    mkdirSync(dataDir, { recursive: true })
    return makeSqliteClient({ filename: sqliteFilename(url, dataDir) })
  })
  return Layer.effect(SqlClient.SqlClient, open).pipe(Layer.provide(Reactivity.layer))
}

/**
 * Opens the store's database (SQLite by default, PostgreSQL for a `postgres://` URL), runs the
 * pending migrations once, and provides `SqlClient` and `StoreDatabase`.
 */
export const layerStoreDatabase = (
  options: StoreDatabaseOptions = {},
): Layer.Layer<SqlClient.SqlClient | StoreDatabase, SqlError.SqlError> => {
  const dataDir = resolve(options.dataDir ?? ".tollgate")
  const dialect = dialectOf(options.url)

  const database = Layer.effect(
    StoreDatabase,
    Effect.sync(() => {
      mkdirSync(dataDir, { recursive: true })
      return StoreDatabase.of({
        dialect,
        dataDir,
        instanceId: `${hostname()}-${process.pid}-${Date.now().toString(36)}`,
      })
    }),
  )

  const migrated = Layer.effectDiscard(runMigrations(dialect, options.migrations ?? allMigrations))

  return migrated.pipe(
    Layer.provideMerge(clientLayer(options, dataDir)),
    Layer.provideMerge(database),
  )
}
