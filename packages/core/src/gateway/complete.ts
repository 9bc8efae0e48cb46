import { Effect } from "effect"
import { estimateOutputTokens } from "../accounting/worst-case.ts"
import type { ChatCompletion } from "../openai/chat-schemas.ts"
import type { Usage } from "../usage/usage.ts"
import { adapterFor } from "./adapter-for.ts"
import { type ChatContext, type CompleteOutcome, GatewayConfig } from "./api.ts"
import { prepareRequest } from "./prepare-request.ts"
import { costHeader, priceUsage, usageWithCost } from "./price-usage.ts"
import { finishRecord, newRecord, statusOf } from "./request-record.ts"
import { responseHeaders } from "./response-headers.ts"
import { runAttempts } from "./run-attempts.ts"

/** Output text of a completion, for estimating usage the provider did not report. */
const outputText = (response: ChatCompletion): string =>
  response.choices
    .map(
      (c) =>
        (c.message.content ?? "") +
        (c.message.reasoning_content ?? "") +
        (c.message.tool_calls ?? []).map((t) => t.function.arguments).join(""),
    )
    .join("")

/**
 * A non-streaming chat completion through the whole request path: validate, resolve, admit,
 * call with retries and fallbacks inside the deadline, price, settle and record.
 */
export const complete = (body: unknown, ctx: ChatContext) => {
  const record = newRecord(
    ctx,
    typeof body === "object" && body !== null && "model" in body ? String(body.model) : "",
  )
  return Effect.gen(function* () {
    const { prices } = yield* GatewayConfig
    const prepared = yield* prepareRequest(body, ctx, record)

    const { value: result, candidate } = yield* runAttempts(prepared, record, {
      limit: "attempt",
      attempt: (c) =>
        Effect.flatMap(adapterFor(c.deployment), (adapter) =>
          adapter.complete({
            request: prepared.request,
            model: c.model,
            deployment: c.deployment,
            controls: prepared.controls,
          }),
        ),
    })

    // Unknown usage is estimated (and marked so in the ledger), never taken as zero:
    const usage: Usage = result.usage ?? {
      promptTokens: prepared.promptTokens,
      cachedTokens: 0,
      cacheWriteTokens: 0,
      completionTokens: estimateOutputTokens(outputText(result.response)),
      reasoningTokens: 0,
    }
    record.usage = usage
    record.estimated = result.usage === undefined

    const warnings = [...prepared.warnings, ...result.warnings]
    const nanoUsd = priceUsage(usage, candidate.model.id, prices)
    if (nanoUsd === undefined)
      warnings.push(`no price for ${candidate.model.id}: cost reported as 0`)
    record.costNanoUsd = nanoUsd ?? 0n

    const outcome: CompleteOutcome = {
      response: {
        ...result.response,
        // The wire format requires both fields, null when empty; not every adapter fills them:
        choices: result.response.choices.map((choice) => ({
          ...choice,
          message: { ...choice.message, refusal: choice.message.refusal ?? null },
          logprobs: choice.logprobs ?? null,
        })),
        usage: usageWithCost(result.response.usage, usage, record.costNanoUsd),
      },
      headers: {
        ...responseHeaders(record, candidate, warnings),
        "x-tollgate-cost-usd": costHeader(record.costNanoUsd),
      },
    }
    return outcome
  }).pipe(Effect.onExit((exit) => finishRecord(record, statusOf(exit))))
}
