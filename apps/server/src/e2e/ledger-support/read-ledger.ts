import { layerStoreDatabase, type StoreDatabaseOptions } from "@tollgate/store"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/** One ledger row as the tests compare it with what a client received. */
export interface LedgerRow {
  readonly requestId: string
  readonly model: string
  readonly status: number
  readonly promptTokens: number
  readonly completionTokens: number
  readonly costNanoUsd: bigint
  readonly estimated: boolean
}

// Both dialects may hand BIGINT back as a string, number or bigint: read them all as bigint.
const toBigInt = (value: unknown): bigint =>
  typeof value === "bigint" ? value : BigInt(String(value ?? "0"))

const toRow = (raw: Record<string, unknown>): LedgerRow => ({
  requestId: String(raw.request_id),
  model: String(raw.model),
  status: Number(raw.status),
  promptTokens: Number(raw.prompt_tokens),
  completionTokens: Number(raw.completion_tokens),
  costNanoUsd: toBigInt(raw.cost_nano_usd),
  estimated: raw.estimated === true || raw.estimated === 1 || raw.estimated === 1n,
})

/**
 * Every row of `ledger_entries`, read straight from the database the server writes to (not
 * through the server), so a test checks what was committed, not what a report computes.
 */
export const readLedger = (options: StoreDatabaseOptions): Promise<ReadonlyArray<LedgerRow>> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql.unsafe<Record<string, unknown>>(
        "SELECT request_id, model, status, prompt_tokens, completion_tokens, " +
          "CAST(cost_nano_usd AS TEXT) AS cost_nano_usd, estimated FROM ledger_entries",
      )
      return rows.map(toRow)
    }).pipe(Effect.provide(layerStoreDatabase(options)), Effect.scoped),
  )

/**
 * Polls the ledger until it holds `count` rows (the server commits every 50 ms, off the
 * response path) or `timeoutMs` passes; returns what it last read either way.
 */
export const waitForLedger = async (
  options: StoreDatabaseOptions,
  count: number,
  timeoutMs = 10_000,
): Promise<ReadonlyArray<LedgerRow>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const rows = await readLedger(options)
    if (rows.length >= count || Date.now() > deadline) return rows
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
