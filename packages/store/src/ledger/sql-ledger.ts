import { Ledger, type LedgerEntry } from "@tollgate/core"
import { Duration, Effect, Fiber, Layer, Schedule, Semaphore } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { StoreDatabase } from "../sql/store-database.ts"
import { insertEntries } from "./insert-entries.ts"
import { Journal, type SealedSegment } from "./journal.ts"
import { queryUsage } from "./usage-query.ts"

/** Tuning of the SQL ledger; the defaults suit a gateway. */
export interface SqlLedgerOptions {
  /** How often queued entries are written to the database (ms); default 50. */
  readonly flushIntervalMs?: number | undefined
  /** `fsync` every journal line: survives a machine crash too, at a disk flush per request. */
  readonly fsync?: boolean | undefined
  /** How often journals left by dead processes on this host are adopted (ms); default 60,000. */
  readonly adoptIntervalMs?: number | undefined
}

/**
 * The `Ledger` on SQL. `record` appends the entry to this process's journal file (a synchronous
 * write, no database round trip) and a background fiber commits batches with
 * `ON CONFLICT DO NOTHING`; journals of dead processes are replayed before the layer is ready,
 * and closing the layer (SIGTERM) flushes. See docs/LEDGER.md.
 */
export const layerSqlLedger = (
  options: SqlLedgerOptions = {},
): Layer.Layer<Ledger, SqlError.SqlError, SqlClient.SqlClient | StoreDatabase> =>
  Layer.effect(Ledger, makeSqlLedger(options))

const makeSqlLedger = Effect.fnUntraced(function* (options: SqlLedgerOptions) {
  const sql = yield* SqlClient.SqlClient
  const database = yield* StoreDatabase
  const journal = new Journal(database.dataDir, { fsync: options.fsync ?? false })
  const commitLock = yield* Semaphore.make(1)

  const commit = (segments: ReadonlyArray<SealedSegment>) =>
    Effect.gen(function* () {
      yield* insertEntries(segments.flatMap((segment) => segment.entries))
      journal.release(segments)
    }).pipe(Effect.provideService(SqlClient.SqlClient, sql))

  // Sealing and committing happen under one lock so a segment is never committed twice at once.
  const flushOnce = commitLock.withPermit(Effect.suspend(() => commit(journal.seal())))

  const adoptOrphans = commitLock.withPermit(Effect.suspend(() => commit(journal.orphans())))

  // Replay what killed processes left behind before the first request is served.
  yield* adoptOrphans

  // While the database is down, back off (up to 30 s) instead of retrying every tick.
  let failures = 0
  const background = flushOnce.pipe(
    Effect.tap(() =>
      Effect.sync(() => {
        failures = 0
      }),
    ),
    Effect.catchCause((cause) => {
      failures += 1
      const pause = Math.min(30_000, 250 * 2 ** Math.min(failures, 7))
      return Effect.logWarning("ledger flush failed; entries stay in the journal", cause).pipe(
        Effect.andThen(Effect.sleep(Duration.millis(pause))),
      )
    }),
    Effect.repeat(Schedule.spaced(Duration.millis(options.flushIntervalMs ?? 50))),
  )
  const adopter = adoptOrphans.pipe(
    Effect.catchCause((cause) => Effect.logWarning("ledger journal adoption failed", cause)),
    Effect.repeat(Schedule.spaced(Duration.millis(options.adoptIntervalMs ?? 60_000))),
    Effect.delay(Duration.millis(options.adoptIntervalMs ?? 60_000)),
  )
  const fibers = [yield* Effect.forkDetach(background), yield* Effect.forkDetach(adopter)]

  // On shutdown: stop the loops, then commit the rest. If the database is gone, the journal
  // keeps the entries and the next start replays them.
  yield* Effect.addFinalizer(() =>
    Effect.gen(function* () {
      yield* Fiber.interruptAll(fibers)
      yield* flushOnce.pipe(
        Effect.catchCause((cause) =>
          Effect.logError("ledger flush at shutdown failed; the journal keeps the entries", cause),
        ),
      )
      journal.close()
    }),
  )

  const record = (entry: LedgerEntry) =>
    Effect.suspend(() => {
      const failure = journal.append(entry)
      return failure === undefined
        ? Effect.void
        : Effect.logError("ledger journal write failed; entry kept in memory only", failure)
    })

  return Ledger.of({
    record,
    flush: Effect.orDie(flushOnce),
    usage: (query) =>
      flushOnce.pipe(
        Effect.andThen(queryUsage(query, database.dialect)),
        Effect.provideService(SqlClient.SqlClient, sql),
        Effect.orDie,
      ),
  })
})
