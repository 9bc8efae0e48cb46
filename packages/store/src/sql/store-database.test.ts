import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Migration } from "./migration.ts"
import { runMigrations } from "./run-migrations.ts"
import { layerStoreDatabase, StoreDatabase } from "./store-database.ts"
import { createTestDatabase, postgresOrSkip, type TestDatabase } from "./testing.ts"

const postgres = await postgresOrSkip()

const probe: Migration = {
  id: 9_000,
  name: "create probe",
  sqlite: ["CREATE TABLE probe (id INTEGER PRIMARY KEY, big BIGINT NOT NULL)"],
  postgres: ["CREATE TABLE probe (id INTEGER PRIMARY KEY, big BIGINT NOT NULL)"],
}

describe.each([
  { dialect: "sqlite" as const, enabled: true },
  { dialect: "postgres" as const, enabled: postgres },
])("store database on $dialect", ({ dialect, enabled }) => {
  let db: TestDatabase | undefined

  beforeAll(async () => {
    if (enabled) db = await createTestDatabase(dialect)
  })

  afterAll(async () => {
    await db?.drop()
  })

  const run = <A, E>(
    effect: Effect.Effect<A, E, SqlClient.SqlClient | StoreDatabase>,
    migrations: ReadonlyArray<Migration> = [probe],
  ) => {
    if (db === undefined) throw new Error("no test database")
    const layer = layerStoreDatabase({ ...db.options, migrations })
    return Effect.runPromise(Effect.provide(effect, layer))
  }

  it.skipIf(!enabled)("runs each migration once, even when instances start together", async () => {
    const applied = await Promise.all([1, 2, 3].map(() => run(Effect.void)))
    expect(applied).toHaveLength(3)

    const ids = await run(
      Effect.gen(function* () {
        const database = yield* StoreDatabase
        return yield* runMigrations(database.dialect, [probe])
      }),
    )
    expect(ids).toEqual([])

    const recorded = await run(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        return yield* sql<{ n: string }>`SELECT CAST(COUNT(*) AS TEXT) AS n
          FROM schema_migrations WHERE id = ${probe.id}`
      }),
    )
    expect(recorded[0]?.n).toBe("1")
  })

  it.skipIf(!enabled)("stores and sums 64-bit integers exactly", async () => {
    const big = 9_007_199_254_740_993n
    const total = await run(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO probe ${sql.insert([
          { id: 1, big },
          { id: 2, big },
        ])}`
        return yield* sql<{ total: string }>`SELECT CAST(SUM(big) AS TEXT) AS total FROM probe`
      }),
    )
    expect(BigInt(total[0]?.total ?? "0")).toBe(big * 2n)
  })

  it.skipIf(!enabled)("reports its dialect", async () => {
    const database = await run(Effect.service(StoreDatabase))
    expect(database.dialect).toBe(dialect)
  })
})

describe("database selection", () => {
  it("rejects a URL it does not understand", async () => {
    const layer = layerStoreDatabase({ url: "mysql://localhost/x", migrations: [] })
    await expect(Effect.runPromise(Effect.provide(Effect.void, layer))).rejects.toThrow(
      /Unsupported database URL/,
    )
  })

  it("builds with no options at all", () => {
    expect(Layer.isLayer(layerStoreDatabase())).toBe(true)
  })
})
