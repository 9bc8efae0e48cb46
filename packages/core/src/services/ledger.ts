import { Context, type Effect } from "effect"

/** One row per request: what it was, what it cost, how it went. */
export interface LedgerEntry {
  readonly requestId: string
  readonly keyId: string
  /** The model id the client asked for. */
  readonly model: string
  readonly provider: string | null
  readonly deploymentId: string | null
  readonly promptTokens: number
  readonly cachedTokens: number
  readonly cacheWriteTokens: number
  readonly completionTokens: number
  readonly reasoningTokens: number
  /** Cost at list price in nano-USD; the sum of these is the sum of the reported costs. */
  readonly costNanoUsd: bigint
  /** HTTP status returned to the client (499 when the client went away). */
  readonly status: number
  readonly latencyMs: number
  readonly ttftMs: number | null
  readonly attempts: number
  /** True when the output tokens were counted by our tokenizer, not reported by the provider. */
  readonly estimated: boolean
  /** Epoch milliseconds when the request arrived. */
  readonly createdAt: number
}

/** Dimension a usage report groups by. */
export type UsageGroupBy = "model" | "key" | "day" | "provider"

/** A usage report query; `keyId` restricts it to one key. */
export interface UsageQuery {
  readonly from: number
  readonly to: number
  readonly groupBy: UsageGroupBy
  readonly keyId?: string
}

/** One group of a usage report. */
export interface UsageRow {
  readonly group: string
  readonly requests: number
  readonly promptTokens: number
  readonly completionTokens: number
  readonly costNanoUsd: bigint
}

/**
 * The spend ledger. `record` must return quickly (it is called on the request path) yet the entry
 * must survive a crash once `record` returned; `flush` drains what is buffered.
 */
export class Ledger extends Context.Service<
  Ledger,
  {
    readonly record: (entry: LedgerEntry) => Effect.Effect<void>
    readonly flush: Effect.Effect<void>
    readonly usage: (query: UsageQuery) => Effect.Effect<ReadonlyArray<UsageRow>>
  }
>()("tollgate/Ledger") {}
