import { readdirSync } from "node:fs"
import { Ledger, type LedgerEntry } from "@tollgate/core"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { afterEach, describe, expect, it } from "vitest"
import { layerStoreDatabase, type StoreDatabase } from "../sql/store-database.ts"
import { createTestDatabase, postgresOrSkip, type TestDatabase } from "../sql/testing.ts"
import { Journal, journalDirectory } from "./journal.ts"
import { layerSqlLedger, type SqlLedgerOptions } from "./sql-ledger.ts"
import { testCost, testEntry } from "./test-entries.ts"

const postgres = await postgresOrSkip()

const DAY = 86_400_000
const EVER = { from: 0, to: Number.MAX_SAFE_INTEGER }

describe.each([
  { dialect: "sqlite" as const, enabled: true },
  { dialect: "postgres" as const, enabled: postgres },
])("SQL ledger on $dialect", ({ dialect, enabled }) => {
  const opened: Array<TestDatabase> = []

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.drop()))
  })

  const newDatabase = async () => {
    const db = await createTestDatabase(dialect)
    if (db === undefined) throw new Error(`${dialect} test database unavailable`)
    opened.push(db)
    return db
  }

  // Opens the ledger on the database, runs the program, then closes the ledger (as at SIGTERM).
  const withLedger = <A>(
    db: TestDatabase,
    program: Effect.Effect<A, unknown, Ledger | SqlClient.SqlClient | StoreDatabase>,
    options: SqlLedgerOptions = {},
  ) =>
    Effect.runPromise(
      program.pipe(
        Effect.provide(
          layerSqlLedger(options).pipe(Layer.provideMerge(layerStoreDatabase(db.options))),
        ),
      ),
    )

  const rowsById = Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ request_id: string; cost: string }>`
      SELECT request_id, CAST(cost_nano_usd AS TEXT) AS cost FROM ledger_entries`
    return new Map(rows.map((row) => [row.request_id, BigInt(row.cost)]))
  })

  const recordAll = (entries: ReadonlyArray<LedgerEntry>) =>
    Effect.gen(function* () {
      const ledger = yield* Ledger
      yield* Effect.forEach(entries, ledger.record, { concurrency: "unbounded", discard: true })
    })

  it.skipIf(!enabled)("reports usage by model, key, provider and UTC day", async () => {
    const db = await newDatabase()
    const day1 = Date.UTC(2026, 11, 1, 23, 59, 59, 999)
    const entries = [
      testEntry(1, { createdAt: day1 }),
      testEntry(2, { createdAt: day1 + 1 }),
      testEntry(3, { createdAt: day1 + DAY }),
      testEntry(4, { provider: null, createdAt: day1 + 2 * DAY }),
    ]

    const reports = await withLedger(
      db,
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* recordAll(entries)
        yield* ledger.flush
        return {
          model: yield* ledger.usage({ ...EVER, groupBy: "model" }),
          key: yield* ledger.usage({ ...EVER, groupBy: "key" }),
          provider: yield* ledger.usage({ ...EVER, groupBy: "provider" }),
          day: yield* ledger.usage({ ...EVER, groupBy: "day" }),
          key1: yield* ledger.usage({ ...EVER, groupBy: "model", keyId: "key-1" }),
          window: yield* ledger.usage({ from: day1 + 1, to: day1 + DAY, groupBy: "day" }),
        }
      }),
    )

    expect(reports.model).toEqual([
      {
        group: "gemini-2.5-flash",
        requests: 2,
        promptTokens: 102 + 104,
        completionTokens: 40,
        costNanoUsd: testCost(2) + testCost(4),
      },
      {
        group: "gpt-4.1",
        requests: 2,
        promptTokens: 101 + 103,
        completionTokens: 40,
        costNanoUsd: testCost(1) + testCost(3),
      },
    ])
    expect(reports.key.map((row) => [row.group, row.requests])).toEqual([
      ["key-0", 1],
      ["key-1", 2],
      ["key-2", 1],
    ])
    expect(reports.provider.map((row) => [row.group, row.requests])).toEqual([
      ["gemini", 1],
      ["none", 1],
      ["openai", 2],
    ])
    // 23:59:59.999 UTC is still December 1st; one millisecond later is the 2nd.
    expect(reports.day.map((row) => [row.group, row.requests])).toEqual([
      ["2026-12-01", 1],
      ["2026-12-02", 2],
      ["2026-12-03", 1],
    ])
    expect(reports.key1.map((row) => [row.group, row.costNanoUsd])).toEqual([
      ["gemini-2.5-flash", testCost(4)],
      ["gpt-4.1", testCost(1)],
    ])
    // [from, to): the first entry is before `from`, the third exactly at `to`.
    expect(reports.window).toEqual([
      expect.objectContaining({ group: "2026-12-02", requests: 1, costNanoUsd: testCost(2) }),
    ])
  })

  it.skipIf(!enabled)("keeps one row when the same request is recorded twice", async () => {
    const db = await newDatabase()

    const rows = await withLedger(
      db,
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* ledger.record(testEntry(7))
        yield* ledger.record(testEntry(7))
        yield* ledger.flush
        yield* ledger.record(testEntry(7, { costNanoUsd: 1n }))
        yield* ledger.flush
        return yield* rowsById
      }),
    )

    expect([...rows]).toEqual([["req-7", testCost(7)]])
  })

  it.skipIf(!enabled)("sums costs beyond 2^53 nano-USD to the unit", async () => {
    const db = await newDatabase()
    const huge = 2n ** 53n + 1n
    const entries = [1, 2, 3].map((n) => testEntry(n, { model: "m", costNanoUsd: huge }))

    const report = await withLedger(
      db,
      Effect.gen(function* () {
        const ledger = yield* Ledger
        yield* recordAll(entries)
        return yield* ledger.usage({ ...EVER, groupBy: "model" })
      }),
    )

    expect(report[0]?.costNanoUsd).toBe(huge * 3n)
  })

  it.skipIf(!enabled)("records without touching the database until a flush", async () => {
    const db = await newDatabase()

    const before = await withLedger(
      db,
      Effect.gen(function* () {
        yield* recordAll([testEntry(1), testEntry(2)])
        return yield* rowsById
      }),
      { flushIntervalMs: 3_600_000 },
    )
    const after = await withLedger(db, rowsById)

    expect(before.size).toBe(0)
    // Closing the first ledger flushed both entries.
    expect([...after.keys()].sort()).toEqual(["req-1", "req-2"])
    expect(readdirSync(journalDirectory(db.options.dataDir ?? ""))).toEqual([])
  })

  it.skipIf(!enabled)("replays a crashed process's journal once at the next start", async () => {
    const db = await newDatabase()
    const dataDir = db.options.dataDir ?? ""

    // A process wrote five entries; two of them reached the database before it died.
    await withLedger(db, recordAll([testEntry(1), testEntry(2)]))
    const crashed = new Journal(dataDir, { fsync: false })
    for (const n of [1, 2, 3, 4, 5]) crashed.append(testEntry(n))
    crashed.abandon()

    const rows = await withLedger(db, rowsById, { flushIntervalMs: 3_600_000 })

    expect([...rows.keys()].sort()).toEqual(["req-1", "req-2", "req-3", "req-4", "req-5"])
    expect(rows.get("req-4")).toBe(testCost(4))
    expect(readdirSync(journalDirectory(dataDir))).toEqual([])
  })

  it.skipIf(!enabled)("keeps all of 1,000 concurrent records and their exact sum", async () => {
    const db = await newDatabase()
    const entries = Array.from({ length: 1_000 }, (_, n) => testEntry(n, { model: "m" }))
    const expected = entries.reduce((sum, entry) => sum + entry.costNanoUsd, 0n)

    const { report, rows } = await withLedger(
      db,
      Effect.gen(function* () {
        const ledger = yield* Ledger
        // Flushes run while records keep arriving, as under load.
        yield* Effect.all([recordAll(entries), ledger.flush, ledger.flush], {
          concurrency: "unbounded",
        })
        const report = yield* ledger.usage({ ...EVER, groupBy: "model" })
        return { report, rows: yield* rowsById }
      }),
      { flushIntervalMs: 1 },
    )

    expect(rows.size).toBe(1_000)
    expect(report).toEqual([
      expect.objectContaining({ group: "m", requests: 1_000, costNanoUsd: expected }),
    ])
  })
})
