/**
 * Child process for the SIGKILL test: records `testEntry(n)` from 8 fibers as fast as it can and
 * prints `n` on stdout after each `record` returned, until the parent kills it.
 * Usage: node record-until-killed.ts '<StoreDatabaseOptions as JSON>'
 */
import { Ledger } from "@tollgate/core"
import { Effect, Layer } from "effect"
import { layerStoreDatabase, type StoreDatabaseOptions } from "../../sql/store-database.ts"
import { layerSqlLedger } from "../sql-ledger.ts"
import { testEntry } from "../test-entries.ts"

const WRITERS = 8
const LIMIT = 200_000

const options: StoreDatabaseOptions = JSON.parse(process.argv[2] ?? "{}")

const writer = (first: number) =>
  Effect.gen(function* () {
    const ledger = yield* Ledger
    for (let n = first; n < LIMIT; n += WRITERS) {
      yield* ledger.record(testEntry(n))
      // Pipes are written synchronously on Linux: a printed id is an acknowledged record.
      process.stdout.write(`${n}\n`)
      yield* Effect.yieldNow
    }
  })

const program = Effect.gen(function* () {
  process.stdout.write("ready\n")
  yield* Effect.forEach(
    Array.from({ length: WRITERS }, (_, i) => i),
    writer,
    {
      concurrency: WRITERS,
      discard: true,
    },
  )
  yield* Effect.never
})

const layer = layerSqlLedger({ flushIntervalMs: 5 }).pipe(
  Layer.provideMerge(layerStoreDatabase(options)),
)

Effect.runFork(program.pipe(Effect.provide(layer)))
