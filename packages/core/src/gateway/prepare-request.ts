import { Effect } from "effect"
import {
  estimatePromptTokens,
  findPrice,
  type WorstCase,
  worstCaseOf,
} from "../accounting/index.ts"
import type { PriceBook } from "../accounting/types.ts"
import { resolveModel } from "../catalog/resolve-model.ts"
import type { Deployment, ModelInfo } from "../catalog/types.ts"
import { RequestError } from "../errors/request-error.ts"
import type { ChatRequest } from "../openai/chat-schemas.ts"
import type { RequestControls } from "../providers/adapter.ts"
import { Router } from "../routing/router.ts"
import { Admission } from "../services/admission.ts"
import { type ChatContext, GatewayConfig } from "./api.ts"
import { checkCapabilities, requestedMaxTokens } from "./check-capabilities.ts"
import { type RequestRecord, recordedModelName } from "./request-record.ts"
import { resolveControls } from "./resolve-controls.ts"
import { validateRequest } from "./validate-request.ts"

/** One place to try: a model and one of its deployments. */
export interface Candidate {
  readonly model: ModelInfo
  readonly deployment: Deployment
}

/** A request that passed validation and admission, with where to send it. */
export interface PreparedRequest {
  readonly request: ChatRequest
  readonly model: ModelInfo
  readonly controls: RequestControls
  readonly promptTokens: number
  /** In the order to try: deployments of the model, its fallbacks, the request's `models`. */
  readonly candidates: ReadonlyArray<Candidate>
  readonly deadlineAt: number
  readonly deadlineMs: number
  readonly warnings: ReadonlyArray<string>
}

/** 403 naming the model asked for and the ones the key may use, so the caller can pick one. */
const notAllowed = (model: string, allowed: ReadonlyArray<string>) =>
  new RequestError({
    status: 403,
    message:
      `This key may not use the model \`${model}\`; it may use ` +
      (allowed.length === 0 ? "no model." : `${allowed.map((m) => `\`${m}\``).join(", ")}.`),
    type: "permission_error",
    code: "model_not_allowed",
    param: "model",
  })

/** The key's `max_tokens` default and ceiling applied to the request. */
const applyKeyLimits = (request: ChatRequest, ctx: ChatContext, warnings: Array<string>) => {
  const { defaultMaxTokens, maxTokensCeiling } = ctx.principal
  const asked = requestedMaxTokens(request)
  if (asked === undefined) {
    return defaultMaxTokens === undefined ? request : { ...request, max_tokens: defaultMaxTokens }
  }
  if (maxTokensCeiling === undefined || asked <= maxTokensCeiling) return request

  warnings.push(`max_tokens lowered from ${asked} to this key's ceiling of ${maxTokensCeiling}`)
  const field = request.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens"
  return { ...request, [field]: maxTokensCeiling }
}

/** Every place the request may go, in order; `fallbacks: false` keeps only the first. */
const planCandidates = (request: ChatRequest, model: ModelInfo, promptTokens: number) =>
  Effect.gen(function* () {
    const { catalog } = yield* GatewayConfig
    const router = yield* Router
    const primary = yield* router.order(model)
    if (request.fallbacks === false) {
      return primary.slice(0, 1).map((deployment) => ({ model, deployment }))
    }

    const candidates: Array<Candidate> = primary.map((deployment) => ({ model, deployment }))
    const seen = new Set([model.id])
    for (const id of [...model.fallbacks, ...(request.models ?? [])]) {
      const next = yield* resolveModel(catalog, id)
      if (seen.has(next.id)) continue
      seen.add(next.id)

      // A fallback that cannot serve this request (no tools, too small a window) is skipped:
      const fits = yield* Effect.result(checkCapabilities(request, next, promptTokens))
      if (fits._tag === "Failure") continue
      for (const deployment of yield* router.order(next))
        candidates.push({ model: next, deployment })
    }
    return candidates
  })

/**
 * The reservation must cover wherever the request may end up: a fallback to a dearer model, or a
 * hedge that bills two attempts, would otherwise spend past the budget. So the worst case is the
 * largest over the distinct candidate models, doubled for a model that hedges. Undefined when no
 * candidate has a price (nothing can be charged then either).
 */
const worstCaseOver = (
  request: ChatRequest,
  candidates: ReadonlyArray<Candidate>,
  prices: PriceBook,
  promptTokens: number,
): WorstCase | undefined => {
  let worst: WorstCase | undefined
  const seen = new Set<string>()
  for (const { model } of candidates) {
    if (seen.has(model.id)) continue
    seen.add(model.id)
    const price = findPrice(prices, model.id)
    if (price === undefined) continue
    const one = worstCaseOf(request, price, model.maxOutputTokens, { promptTokens })
    const attempts = model.resilience.hedge === undefined ? 1 : 2
    const scaled: WorstCase = {
      ...one,
      tokens: one.tokens * attempts,
      nanoUsd: one.nanoUsd * BigInt(attempts),
    }
    if (worst === undefined || scaled.nanoUsd > worst.nanoUsd) worst = scaled
  }
  return worst
}

/**
 * Steps 1-3 of the request path: validate the body, resolve the model, check what it can do,
 * resolve controls, plan the candidates and admit (rate limits, budget reservation). Nothing
 * has been spent when this fails.
 */
export const prepareRequest = (body: unknown, ctx: ChatContext, record: RequestRecord) =>
  Effect.gen(function* () {
    const { catalog, prices } = yield* GatewayConfig
    const warnings: Array<string> = []

    const parsed = yield* validateRequest(body)
    record.model = recordedModelName(parsed.model)
    const model = yield* resolveModel(catalog, parsed.model)
    // The catalog's id, so `Gemini-2.5-Flash` and `google/gemini-2.5-flash` are one usage group.
    record.model = model.id
    const allowed = ctx.principal.allowedModels
    if (allowed !== undefined && !allowed.includes(model.id) && !allowed.includes(parsed.model)) {
      return yield* Effect.fail(notAllowed(parsed.model, allowed))
    }

    const request = applyKeyLimits(parsed, ctx, warnings)
    // Counted once with the tokenizer: the context checks and the reservation all use it.
    const promptTokens = estimatePromptTokens(request)
    yield* checkCapabilities(request, model, promptTokens)
    const controls = resolveControls(request, ctx.speedHeader)
    const candidates = yield* planCandidates(request, model, promptTokens)

    const worst = worstCaseOver(request, candidates, prices, promptTokens)
    const admission = yield* Admission
    record.ticket = yield* admission.admit({
      principal: ctx.principal,
      requestId: ctx.requestId,
      model: model.id,
      estimatedTokens:
        worst?.tokens ?? promptTokens + (requestedMaxTokens(request) ?? model.maxOutputTokens),
      worstCaseNanoUsd: worst?.nanoUsd ?? 0n,
    })

    record.promptTokens = promptTokens
    const deadlineMs = ctx.timeoutMs ?? model.resilience.deadlineMs
    const prepared: PreparedRequest = {
      request,
      model,
      controls,
      promptTokens,
      candidates,
      deadlineAt: ctx.receivedAt + deadlineMs,
      deadlineMs,
      warnings,
    }
    return prepared
  })
