import { Cause, Clock, Effect, Exit, type Pull, Scope, Stream } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { estimateOutputTokens } from "../accounting/worst-case.ts"
import { GatewayError } from "../errors/gateway-error.ts"
import type { ChatCompletionChunk } from "../openai/chat-schemas.ts"
import type { AdapterCall } from "../providers/adapter.ts"
import { timeoutError } from "../resilience/deadline.ts"
import { type AttemptOutcome, Router, type Slot } from "../routing/router.ts"
import type { Admission } from "../services/admission.ts"
import type { Ledger } from "../services/ledger.ts"
import { fromWireUsage, type Usage } from "../usage/usage.ts"
import { adapterFor } from "./adapter-for.ts"
import { type ChatContext, GatewayConfig, type StreamEvent, type StreamOutcome } from "./api.ts"
import { toErrorResponse } from "./error-response.ts"
import { prepareRequest } from "./prepare-request.ts"
import { priceUsage, usageWithCost } from "./price-usage.ts"
import { finishRecord, newRecord, type RequestRecord, statusOf } from "./request-record.ts"
import { responseHeaders } from "./response-headers.ts"
import { runAttempts } from "./run-attempts.ts"

/** True for a chunk the client would see as progress: text, reasoning, a tool call, an end. */
const hasContent = (chunk: ChatCompletionChunk): boolean =>
  chunk.choices.some(
    (c) =>
      (c.delta.content ?? "") !== "" ||
      (c.delta.reasoning_content ?? "") !== "" ||
      (c.delta.refusal ?? "") !== "" ||
      (c.delta.tool_calls?.length ?? 0) > 0 ||
      c.finish_reason !== null,
  )

/** Text a chunk delivers, for estimating usage the provider never reported. */
const deliveredText = (chunk: ChatCompletionChunk): string =>
  chunk.choices
    .map(
      (c) =>
        (c.delta.content ?? "") +
        (c.delta.reasoning_content ?? "") +
        (c.delta.tool_calls ?? []).map((t) => t.function?.arguments ?? "").join(""),
    )
    .join("")

/** An upstream stream read up to its first content; the rest waits in `pull`. */
interface FirstContent {
  readonly scope: Scope.Closeable
  readonly pull: Pull.Pull<NonEmptyReadonlyArray<ChatCompletionChunk>, GatewayError>
  readonly buffered: ReadonlyArray<ChatCompletionChunk>
  readonly ended: boolean
  readonly warnings: ReadonlyArray<string>
}

/**
 * Opens the upstream stream and reads until the first content chunk, so a failure before it is
 * an ordinary, retryable attempt failure. On any failure the upstream call is aborted.
 */
const openUntilContent = (call: AdapterCall, slot: Slot) =>
  Effect.gen(function* () {
    const adapter = yield* adapterFor(call.deployment)
    const router = yield* Router
    const scope = yield* Scope.make()
    // The router's slot is held to the stream's end, not its first token, so fewest-in-flight
    // counts long streams. Before the first token the attempt releases it (with its outcome):
    yield* Scope.addFinalizerExit(scope, (exit) =>
      slot.settled ? router.release(slot, outcomeAtEnd(exit)) : Effect.void,
    )
    return yield* Effect.gen(function* () {
      const opened = yield* adapter.stream(call)
      const pull = yield* Stream.toPull(opened.chunks).pipe(Scope.provide(scope))
      const buffered: Array<ChatCompletionChunk> = []
      while (true) {
        const batch = yield* pull.pipe(
          Effect.catchIf(Cause.isDone, () => Effect.succeed(undefined)),
        )
        if (batch === undefined) {
          const first: FirstContent = {
            scope,
            pull,
            buffered,
            ended: true,
            warnings: opened.warnings,
          }
          return first
        }
        buffered.push(...batch)
        if (batch.some(hasContent)) {
          const first: FirstContent = {
            scope,
            pull,
            buffered,
            ended: false,
            warnings: opened.warnings,
          }
          return first
        }
      }
    }).pipe(
      Effect.onExit((exit) => (Exit.isSuccess(exit) ? Effect.void : Scope.close(scope, exit))),
    )
  })

/** What the end of a stream says about its deployment: a failure, or nothing new. */
const outcomeAtEnd = (exit: Exit.Exit<unknown, unknown>): AttemptOutcome => {
  if (Exit.isSuccess(exit)) return { ok: "abandoned" }
  const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
  return failure?._tag === "Fail" && failure.error instanceof GatewayError
    ? { ok: false, error: failure.error }
    : { ok: "abandoned" }
}

/** Records usage from the stream (reported, or estimated at the end) and prices it. */
const settleUsage = (
  record: RequestRecord,
  usage: Usage,
  modelId: string,
  prices: GatewayConfig["Service"]["prices"],
) => {
  record.usage = usage
  record.costNanoUsd = priceUsage(usage, modelId, prices) ?? 0n
}

/**
 * A streamed chat completion. Returns once the first content arrived (failures before it are
 * retried or fall back, and surface as an error status); after that a failure ends `events`
 * with an `Error` event. Closing the events stream early aborts the upstream call.
 */
export const stream = (body: unknown, ctx: ChatContext) => {
  const record = newRecord(
    ctx,
    typeof body === "object" && body !== null && "model" in body ? String(body.model) : "",
  )
  return Effect.gen(function* () {
    const { prices } = yield* GatewayConfig
    const services = yield* Effect.context<Admission | Ledger | GatewayConfig>()
    const prepared = yield* prepareRequest(body, ctx, record)

    const { value: first, candidate } = yield* runAttempts(prepared, record, {
      limit: "first-token",
      attempt: (c, slot) =>
        openUntilContent(
          {
            request: prepared.request,
            model: c.model,
            deployment: c.deployment,
            controls: prepared.controls,
          },
          slot,
        ),
      // A hedge that produced its first token a moment after the winner: abort it.
      discard: (lost) => Scope.close(lost.scope, Exit.void),
    })
    record.ttftMs = (yield* Clock.currentTimeMillis) - ctx.receivedAt

    const servedModel = candidate.model.id
    const wantsUsage = prepared.request.stream_options?.include_usage === true
    const idleMs = candidate.model.resilience.idleTimeoutMs
    const where = { provider: candidate.deployment.provider, deployment: candidate.deployment.id }
    let status = 200
    // The failure that ended the stream after its first token, for the router's health:
    let cut: GatewayError | undefined
    let upstreamDone = false
    let last: ChatCompletionChunk | undefined

    const rest: Stream.Stream<ChatCompletionChunk, GatewayError> = first.ended
      ? Stream.empty
      : Stream.fromPull(
          Effect.succeed(
            first.pull.pipe(
              Effect.timeoutOrElse({
                duration: idleMs,
                orElse: () => Effect.fail(timeoutError("idle", idleMs, where)),
              }),
            ),
          ),
        )

    const toEvent = (chunk: ChatCompletionChunk): StreamEvent | undefined => {
      last = chunk
      if (chunk.usage != null && chunk.choices.length === 0) {
        settleUsage(record, fromWireUsage(chunk.usage), servedModel, prices)
        if (!wantsUsage || record.usage === undefined) return undefined
        const usage = usageWithCost(chunk.usage, record.usage, record.costNanoUsd)
        return { _tag: "Chunk", chunk: { ...chunk, usage } }
      }
      record.delivered.push(deliveredText(chunk))
      return { _tag: "Chunk", chunk }
    }

    // The provider never reported usage: estimate it, and tell the client if it asked.
    const trailer = Stream.suspend((): Stream.Stream<StreamEvent> => {
      upstreamDone = true
      if (record.usage !== undefined) return Stream.empty
      record.estimated = true
      settleUsage(
        record,
        {
          promptTokens: prepared.promptTokens,
          cachedTokens: 0,
          cacheWriteTokens: 0,
          completionTokens: estimateOutputTokens(record.delivered.join("")),
          reasoningTokens: 0,
        },
        servedModel,
        prices,
      )
      if (!wantsUsage || last === undefined || record.usage === undefined) return Stream.empty
      const usage = usageWithCost(undefined, record.usage, record.costNanoUsd)
      return Stream.succeed({ _tag: "Chunk", chunk: { ...last, choices: [], usage } })
    })

    const events: Stream.Stream<StreamEvent> = Stream.fromIterable(first.buffered).pipe(
      Stream.concat(rest),
      Stream.map(toEvent),
      Stream.filter((event): event is StreamEvent => event !== undefined),
      Stream.concat(trailer),
      Stream.catch((error) => {
        cut = error
        const failure = toErrorResponse(error)
        status = failure.status
        return Stream.succeed<StreamEvent>({ _tag: "Error", body: failure.body })
      }),
      Stream.onExit((exit) =>
        Scope.close(first.scope, cut === undefined ? exit : Exit.fail(cut)).pipe(
          // Ended without the upstream finishing or failing: the client stopped reading.
          Effect.andThen(
            finishRecord(
              record,
              Exit.isSuccess(exit) && (upstreamDone || status !== 200) ? status : 499,
            ),
          ),
          Effect.provide(services),
        ),
      ),
    )

    const outcome: StreamOutcome = {
      headers: responseHeaders(record, candidate, [...prepared.warnings, ...first.warnings]),
      events,
    }
    return outcome
  }).pipe(
    Effect.onExit((exit) =>
      Exit.isSuccess(exit) ? Effect.void : finishRecord(record, statusOf(exit)),
    ),
  )
}
