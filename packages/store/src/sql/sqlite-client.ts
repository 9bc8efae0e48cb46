import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite"
import { Effect, type Scope, Semaphore, Stream } from "effect"
import type { Reactivity } from "effect/reactivity"
import { SqlClient, type SqlConnection, SqlError, Statement } from "effect/sql"

type SqlFailure = SqlError.SqlError

/** Options for the embedded SQLite database. */
export interface SqliteClientOptions {
  /** Path of the database file, or ":memory:". */
  readonly filename: string
  /** How long a writer waits for another process's write lock before failing (ms). */
  readonly busyTimeoutMs?: number
}

type Rows = ReadonlyArray<Record<string, unknown>>

/** node:sqlite binds neither booleans nor undefined, so they become 0/1 and NULL. */
const toSqlite = (value: unknown): SQLInputValue => {
  if (value === undefined || value === null) return null
  if (typeof value === "boolean") return value ? 1 : 0
  if (value instanceof Date) return value.getTime()
  if (
    typeof value === "number" ||
    typeof value === "bigint" ||
    typeof value === "string" ||
    value instanceof Uint8Array
  ) {
    return value
  }
  return JSON.stringify(value)
}

const toSqlError = (cause: unknown, operation: string): SqlFailure =>
  new SqlError.SqlError({
    reason: new SqlError.UnknownError({
      cause,
      message: cause instanceof Error ? cause.message : "SQLite statement failed",
      operation,
    }),
  })

/**
 * A `SqlClient` over Node's built-in `node:sqlite` (one connection, WAL, busy timeout). The
 * published `@effect/sql-sqlite-*` drivers do not load with effect 4.1, hence this small one.
 */
export const makeSqliteClient = (
  options: SqliteClientOptions,
): Effect.Effect<SqlClient.SqlClient, SqlFailure, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.try({
        try: () => new DatabaseSync(options.filename, { timeout: options.busyTimeoutMs ?? 5000 }),
        catch: (cause) => toSqlError(cause, "open"),
      }),
      (db) => Effect.sync(() => db.isOpen && db.close()),
    )

    // Prepared statements are cached by text; the ledger runs the same few statements forever.
    const cache = new Map<string, StatementSync>()
    const prepare = (sql: string): StatementSync => {
      let statement = cache.get(sql)
      if (statement === undefined) {
        statement = db.prepare(sql)
        if (cache.size > 200) cache.clear()
        cache.set(sql, statement)
      }
      return statement
    }

    const run = (sql: string, params: ReadonlyArray<unknown>, arrays: boolean) =>
      Effect.flatMap(Effect.service(SqlClient.SafeIntegers), (safeIntegers) =>
        Effect.try({
          try: () => {
            const statement = prepare(sql)
            statement.setReadBigInts(safeIntegers)
            statement.setReturnArrays(arrays)
            const bound = params.map(toSqlite)
            if (statement.columns().length === 0) {
              statement.run(...bound)
              return []
            }
            return statement.all(...bound) as Rows
          },
          catch: (cause) => toSqlError(cause, "execute"),
        }),
      )

    const connection: SqlConnection.Connection = {
      execute: (sql, params, transformRows) =>
        transformRows
          ? Effect.map(run(sql, params, false), transformRows)
          : run(sql, params, false),
      executeRaw: (sql, params) => run(sql, params, false),
      executeValues: (sql, params) =>
        run(sql, params, true) as unknown as Effect.Effect<
          ReadonlyArray<ReadonlyArray<unknown>>,
          SqlFailure
        >,
      executeValuesUnprepared: (sql, params) =>
        run(sql, params, true) as unknown as Effect.Effect<
          ReadonlyArray<ReadonlyArray<unknown>>,
          SqlFailure
        >,
      executeUnprepared: (sql, params, transformRows) =>
        transformRows
          ? Effect.map(run(sql, params, false), transformRows)
          : run(sql, params, false),
      executeStream: (sql, params, transformRows) =>
        Stream.fromIterableEffect(
          transformRows
            ? Effect.map(run(sql, params, false), transformRows)
            : run(sql, params, false),
        ),
    }

    // WAL lets readers proceed while the ledger writes; NORMAL sync is safe under WAL.
    if (options.filename !== ":memory:") {
      yield* connection.executeRaw("PRAGMA journal_mode = WAL", [])
      yield* connection.executeRaw("PRAGMA synchronous = NORMAL", [])
    }

    const acquirers = SqlClient.makeSqliteAcquirers({
      connection: Effect.succeed(connection),
      semaphore: yield* Semaphore.make(1),
      isTransaction: () => db.isTransaction,
    })

    return yield* SqlClient.make({
      acquirer: acquirers.transactionAcquirer,
      compiler: Statement.makeCompilerSqlite(),
      transactionAcquirer: acquirers.transactionAcquirer,
      onCommitFailure: acquirers.onCommitFailure,
      // IMMEDIATE takes the write lock up front, so two writers wait (busy timeout) instead of
      // deadlocking on a lock upgrade.
      beginTransaction: "BEGIN IMMEDIATE",
      releaseSavepoint: (name) => `RELEASE SAVEPOINT ${name}`,
      driver: "sqlite",
      spanAttributes: [["db.system.name", "sqlite"]],
    })
  })
