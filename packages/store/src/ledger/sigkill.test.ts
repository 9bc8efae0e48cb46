import { type ChildProcess, spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { afterEach, describe, expect, it } from "vitest"
import { layerStoreDatabase } from "../sql/store-database.ts"
import { createTestDatabase, postgresOrSkip, type TestDatabase } from "../sql/testing.ts"
import { journalDirectory } from "./journal.ts"
import { layerSqlLedger } from "./sql-ledger.ts"
import { testCost } from "./test-entries.ts"

const postgres = await postgresOrSkip()

const child = fileURLToPath(new URL("./test-fixtures/record-until-killed.ts", import.meta.url))

// Enough acknowledged records that the kill lands with batches committed, in flight and queued.
const KILL_AFTER_ACKS = 3_000

/** Runs the writer until it acked `acks` records, then SIGKILLs it; returns the acked ids. */
const recordThenKill = async (db: TestDatabase, acks: number): Promise<Set<number>> => {
  const writer: ChildProcess = spawn(process.execPath, [child, JSON.stringify(db.options)], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const exited = new Promise<void>((resolve) => writer.once("exit", () => resolve()))
  const acked = new Set<number>()

  if (writer.stdout === null) throw new Error("no stdout from the writer")
  for await (const line of createInterface({ input: writer.stdout })) {
    if (/^\d+$/.test(line)) acked.add(Number(line))
    if (acked.size >= acks && writer.exitCode === null) writer.kill("SIGKILL")
  }
  await exited

  expect(writer.signalCode).toBe("SIGKILL")
  return acked
}

describe.each([
  { dialect: "sqlite" as const, enabled: true },
  { dialect: "postgres" as const, enabled: postgres },
])("ledger killed with SIGKILL on $dialect", ({ dialect, enabled }) => {
  let db: TestDatabase | undefined

  afterEach(async () => {
    await db?.drop()
  })

  it.skipIf(!enabled)(
    "has every acknowledged record after a restart, none twice",
    async () => {
      db = await createTestDatabase(dialect)
      if (db === undefined) throw new Error(`${dialect} test database unavailable`)

      const acked = await recordThenKill(db, KILL_AFTER_ACKS)

      // Restarting the ledger replays the dead writer's journal.
      const rows = await Effect.runPromise(
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          return yield* sql<{ request_id: string; cost: string }>`
            SELECT request_id, CAST(cost_nano_usd AS TEXT) AS cost FROM ledger_entries`
        }).pipe(
          Effect.provide(layerSqlLedger().pipe(Layer.provideMerge(layerStoreDatabase(db.options)))),
        ),
      )

      const stored = new Map(rows.map((row) => [Number(row.request_id.slice(4)), row.cost]))
      const missing = [...acked].filter((n) => !stored.has(n))
      expect(missing).toEqual([])
      expect(stored.size).toBe(rows.length)
      // Rows beyond the acked ones were recorded but not yet printed when the kill came.
      for (const [n, cost] of stored) expect(BigInt(cost)).toBe(testCost(n))
      // The dead writer's journal was replayed and then removed.
      expect(readdirSync(journalDirectory(db.options.dataDir ?? ""))).toEqual([])
    },
    60_000,
  )
})
