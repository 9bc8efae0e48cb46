import { Clock, Effect, Exit } from "effect"
import type { PriceBook } from "../accounting/types.ts"
import { estimateOutputTokens } from "../accounting/worst-case.ts"
import type { GatewayError } from "../errors/gateway-error.ts"
import type { RequestError } from "../errors/request-error.ts"
import { Admission, type Ticket } from "../services/admission.ts"
import { Ledger, type LedgerEntry } from "../services/ledger.ts"
import type { Usage } from "../usage/usage.ts"
import { type ChatContext, GatewayConfig } from "./api.ts"
import { toErrorResponse } from "./error-response.ts"
import { priceUsage } from "./price-usage.ts"

/**
 * What one request did, filled in as it goes and written to the ledger exactly once by
 * `finishRecord`, whatever the outcome (success, error, client gone).
 */
export interface RequestRecord {
  readonly ctx: ChatContext
  model: string
  provider: string | null
  deploymentId: string | null
  ticket: Ticket | undefined
  usage: Usage | undefined
  costNanoUsd: bigint
  estimated: boolean
  attempts: number
  ttftMs: number | null
  /** Estimated prompt tokens, known once the request was prepared. */
  promptTokens: number
  /** The model that served the request (a fallback may differ from `model`). */
  servedModel: string | undefined
  /** Text relayed to the client so far (streams), for estimating usage never reported. */
  delivered: Array<string>
  /** Hedge attempts that lost the race: each is billed and recorded as its own entry. */
  hedgeLosers: Array<{
    readonly model: string
    readonly provider: string
    readonly deploymentId: string
  }>
  finished: boolean
}

/** Longest model name kept in the ledger: a client may send any string as `model`. */
const MAX_RECORDED_MODEL = 128

/** The client's model name as the ledger keeps it. */
export const recordedModelName = (model: string): string => model.slice(0, MAX_RECORDED_MODEL)

/** A blank record for a request naming `model`. */
export const newRecord = (ctx: ChatContext, model: string): RequestRecord => ({
  ctx,
  model: recordedModelName(model),
  provider: null,
  deploymentId: null,
  ticket: undefined,
  usage: undefined,
  costNanoUsd: 0n,
  estimated: false,
  attempts: 0,
  ttftMs: null,
  promptTokens: 0,
  servedModel: undefined,
  delivered: [],
  hedgeLosers: [],
  finished: false,
})

/**
 * When the provider never reported usage but was called and the client went away or got a
 * cut stream: estimate the prompt and what was delivered, priced, marked estimated.
 */
const estimateMissingUsage = (record: RequestRecord, status: number, prices: PriceBook) => {
  if (record.usage !== undefined || record.attempts === 0) return
  if (status !== 499 && record.delivered.length === 0) return

  const usage: Usage = {
    promptTokens: record.promptTokens,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    completionTokens: estimateOutputTokens(record.delivered.join("")),
    reasoningTokens: 0,
  }
  record.usage = usage
  record.estimated = true
  record.costNanoUsd = priceUsage(usage, record.servedModel ?? record.model, prices) ?? 0n
}

/** HTTP status an exit stands for: 200, the error's status, or 499 when the client went away. */
export const statusOf = <A>(exit: Exit.Exit<A, GatewayError | RequestError>): number => {
  if (Exit.isSuccess(exit)) return 200
  const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (failure?._tag === "Fail") return toErrorResponse(failure.error).status
  return exit.cause.reasons.some((r) => r._tag === "Interrupt") ? 499 : 500
}

/** Settles the admission ticket and records the ledger entry; runs once per request. */
export const finishRecord = (record: RequestRecord, status: number) =>
  Effect.gen(function* () {
    if (record.finished) return
    record.finished = true
    const { prices } = yield* GatewayConfig
    estimateMissingUsage(record, status, prices)

    const usage = record.usage
    const now = yield* Clock.currentTimeMillis
    const base = {
      keyId: record.ctx.principal.keyId,
      model: record.model,
      latencyMs: Math.max(0, now - record.ctx.receivedAt),
      createdAt: record.ctx.receivedAt,
    }

    // Hedges that lost were aborted before their first token; the provider still read the prompt:
    const losers = record.hedgeLosers.map((loser, i) => {
      const promptOnly: Usage = {
        promptTokens: record.promptTokens,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        completionTokens: 0,
        reasoningTokens: 0,
      }
      const entry: LedgerEntry = {
        ...base,
        requestId: `${record.ctx.requestId}:hedge-${i + 1}`,
        provider: loser.provider,
        deploymentId: loser.deploymentId,
        promptTokens: record.promptTokens,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        completionTokens: 0,
        reasoningTokens: 0,
        costNanoUsd: priceUsage(promptOnly, loser.model, prices) ?? 0n,
        status: 499,
        ttftMs: null,
        attempts: 1,
        estimated: true,
      }
      return entry
    })

    const tokens = usage === undefined ? 0 : usage.promptTokens + usage.completionTokens
    if (record.ticket !== undefined) {
      const admission = yield* Admission
      const costNanoUsd = losers.reduce((sum, e) => sum + e.costNanoUsd, record.costNanoUsd)
      const allTokens = losers.reduce((sum, e) => sum + e.promptTokens, tokens)
      yield* admission.settle(record.ticket, { costNanoUsd, tokens: allTokens })
    }

    const ledger = yield* Ledger
    yield* ledger.record({
      ...base,
      requestId: record.ctx.requestId,
      provider: record.provider,
      deploymentId: record.deploymentId,
      promptTokens: usage?.promptTokens ?? 0,
      cachedTokens: usage?.cachedTokens ?? 0,
      cacheWriteTokens: usage?.cacheWriteTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      reasoningTokens: usage?.reasoningTokens ?? 0,
      costNanoUsd: record.costNanoUsd,
      status,
      ttftMs: record.ttftMs,
      attempts: record.attempts,
      estimated: record.estimated,
    })
    for (const entry of losers) yield* ledger.record(entry)
  }).pipe(Effect.uninterruptible)
