import { readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import { layerStoreDatabase } from "@tollgate/store"
import type { TestDatabase } from "@tollgate/store/testing"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/** A cell as searchable text: binary as UTF-8 and hex, numbers and bigints as decimals. */
const cellText = (value: unknown): string => {
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value)
    return `${bytes.toString("utf8")} ${bytes.toString("hex")}`
  }
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Date) return value.toISOString()
  return typeof value === "string" ? value : JSON.stringify(value ?? null)
}

/** Every row of every table of the test schema, one line per row, as `table: cells`. */
export const dumpPostgres = (database: TestDatabase): Promise<string> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql.unsafe<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
      )
      const lines: Array<string> = []
      for (const { table_name } of tables) {
        const rows = yield* sql.unsafe<Record<string, unknown>>(`SELECT * FROM "${table_name}"`)
        for (const row of rows)
          lines.push(`${table_name}: ${Object.values(row).map(cellText).join(" | ")}`)
      }
      return lines.join("\n")
    }).pipe(Effect.provide(layerStoreDatabase(database.options))),
  )

/** The raw bytes of every file under `dir` (SQLite file and its WAL, journals, key hashes). */
export const dumpFiles = (dir: string): string => {
  const out: Array<string> = []
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const file = join(path, name)
      if (statSync(file).isDirectory()) walk(file)
      else out.push(`${file}: ${readFileSync(file).toString("latin1")}`)
    }
  }
  walk(dir)
  return out.join("\n")
}

/**
 * The forms a secret could leak in: the whole key, and for a virtual key (`tg-<id>-<secret>`)
 * its secret part alone, which would be just as usable with the id that is shown everywhere.
 */
export const leakForms = (key: string): ReadonlyArray<string> => {
  const virtual = /^tg-[0-9a-f]{16}-(.+)$/.exec(key)
  return virtual?.[1] === undefined ? [key] : [key, virtual[1]]
}

/** The secrets of `secrets` that appear in `text`, in any of their leak forms. */
export const leakedIn = (text: string, secrets: ReadonlyArray<string>): ReadonlyArray<string> =>
  secrets.filter((secret) => leakForms(secret).some((form) => text.includes(form)))
