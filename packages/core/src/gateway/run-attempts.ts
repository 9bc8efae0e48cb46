import { Clock, Deferred, Effect, Exit } from "effect"
import { GatewayError } from "../errors/gateway-error.ts"
import { timeoutError, withinDeadline } from "../resilience/deadline.ts"
import { retrySchedule } from "../resilience/retry-schedule.ts"
import { Router } from "../routing/router.ts"
import type { Candidate, PreparedRequest } from "./prepare-request.ts"
import type { RequestRecord } from "./request-record.ts"

/** Whether a failure on one deployment should send the request on to the next candidate. */
const movesOn = (error: GatewayError): boolean =>
  error.isRetryable ||
  // Another deployment has its own key and quota:
  error.reason._tag === "QuotaExhausted" ||
  error.reason._tag === "Authentication"

/** How often a request waiting on a probe looks again, ms. */
const probePollMs = 50

/** Which per-attempt limit applies: the whole answer, or the first token of a stream. */
export type AttemptLimit = "attempt" | "first-token"

/**
 * Runs `attempt` over the candidates in order: retries on each deployment with backoff (honouring
 * Retry-After), then falls back to the next, all inside the request's one deadline. Each attempt
 * holds a router slot; the router learns every outcome. Fails with the last error.
 */
export const runAttempts = <A, R>(
  prepared: PreparedRequest,
  record: RequestRecord,
  limit: AttemptLimit,
  attempt: (candidate: Candidate) => Effect.Effect<A, GatewayError, R>,
): Effect.Effect<{ readonly value: A; readonly candidate: Candidate }, GatewayError, R | Router> =>
  Effect.gen(function* () {
    const router = yield* Router
    const { candidates, deadlineAt, deadlineMs } = prepared
    // Real upstream attempts per deployment: each gets at most `maxRetries + 1`, over all passes.
    const used = new Map<string, number>()
    const budgetLeft = (c: Candidate) =>
      (used.get(c.deployment.id) ?? 0) < c.model.resilience.maxRetries + 1

    const once = (candidate: Candidate) =>
      Effect.gen(function* () {
        const { deployment, model } = candidate
        yield* router.acquire(deployment)
        used.set(deployment.id, (used.get(deployment.id) ?? 0) + 1)
        record.attempts += 1
        record.provider = deployment.provider
        record.deploymentId = deployment.id
        record.servedModel = model.id
        const startedAt = yield* Clock.currentTimeMillis

        const limitMs =
          limit === "attempt"
            ? model.resilience.attemptTimeoutMs
            : model.resilience.firstTokenTimeoutMs
        const where = { provider: deployment.provider, deployment: deployment.id }
        return yield* withinDeadline(attempt(candidate), {
          limitMs,
          scope: limit,
          deadlineAt,
          deadlineMs,
          where,
        }).pipe(
          Effect.onExit((exit) =>
            Effect.flatMap(Clock.currentTimeMillis, (endedAt) => {
              if (Exit.isSuccess(exit)) {
                return router.release(deployment, { ok: true, latencyMs: endedAt - startedAt })
              }
              const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
              return router.release(
                deployment,
                failure?._tag === "Fail"
                  ? { ok: false, error: failure.error }
                  : { ok: "abandoned" },
              )
            }),
          ),
        )
      })

    const onCandidate = (candidate: Candidate, hasMore: boolean) =>
      Effect.retry(once(candidate), {
        schedule: retrySchedule(candidate.model.resilience, deadlineAt),
        // A rate-limited deployment is left for the next one rather than waited for:
        while: (error) => error.isRetryable && !(hasMore && error.reason._tag === "RateLimited"),
      }).pipe(Effect.map((value) => ({ value, candidate })))

    // Hedging: when the first deployment is slow to produce, a second one races it; the first to
    // succeed wins and the other is interrupted (its upstream call aborted).
    const hedged = (primary: Candidate, partner: Candidate, delayMs: number, hasMore: boolean) =>
      Effect.gen(function* () {
        const primaryFailed = yield* Deferred.make<void>()
        let partnerStarted = false
        const first = onCandidate(primary, true).pipe(
          Effect.onError(() => Deferred.succeed(primaryFailed, undefined)),
        )
        const second = Effect.raceFirst(Effect.sleep(delayMs), Deferred.await(primaryFailed)).pipe(
          Effect.andThen(
            Effect.suspend(() => {
              partnerStarted = true
              return onCandidate(partner, hasMore)
            }),
          ),
        )
        const won = yield* Effect.race(first, second)
        if (partnerStarted) {
          const loser = won.candidate === primary ? partner : primary
          record.hedgeLosers.push({
            model: loser.model.id,
            provider: loser.deployment.provider,
            deploymentId: loser.deployment.id,
          })
        }
        return won
      })

    const hedgeDelayMs = (candidate: Candidate) =>
      Effect.gen(function* () {
        const after = candidate.model.resilience.hedge?.afterMs
        if (after === undefined || after !== "p95") return after
        const p95 = yield* router.latencyPercentile(candidate.deployment.id, 0.95)
        return p95 ?? candidate.model.resilience.firstTokenTimeoutMs / 2
      })

    // Between passes: the candidate that recovers soonest (out of cooldown, budget left).
    const soonest = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      let best: { readonly index: number; readonly waitMs: number } | undefined
      for (const [index, candidate] of candidates.entries()) {
        if (!budgetLeft(candidate)) continue
        const health = yield* router.health(candidate.deployment.id)
        const waitMs = Math.max(0, health.cooldownUntil - now, health.probing ? probePollMs : 0)
        if (best === undefined || waitMs < best.waitMs) best = { index, waitMs }
      }
      return best
    })

    let lastError: GatewayError | undefined
    let index = 0
    while (true) {
      if (index >= candidates.length) {
        // Every candidate failed or was cooling. If the failures pass with time, wait for the
        // first deployment to come back, within the deadline and its attempt budget:
        if (lastError === undefined || !lastError.isRetryable) break
        const next = yield* soonest
        if (next === undefined) break
        const left = deadlineAt - (yield* Clock.currentTimeMillis)
        if (next.waitMs >= left) break
        if (next.waitMs > 0) yield* Effect.sleep(next.waitMs)
        index = next.index
      }

      const candidate = candidates[index] as Candidate
      if (!budgetLeft(candidate)) {
        index += 1
        continue
      }
      const partner = candidates[index + 1]
      const delayMs = yield* hedgeDelayMs(candidate)
      const hedge =
        partner !== undefined &&
        partner.model === candidate.model &&
        budgetLeft(partner) &&
        delayMs !== undefined
      const step = hedge ? 2 : 1
      const hasMore = candidates.some((c, i) => i >= index + step && budgetLeft(c))

      const result = yield* Effect.result(
        hedge ? hedged(candidate, partner, delayMs, hasMore) : onCandidate(candidate, hasMore),
      )
      if (result._tag === "Success") {
        const served = result.success.candidate
        record.provider = served.deployment.provider
        record.deploymentId = served.deployment.id
        record.servedModel = served.model.id
        return result.success
      }

      lastError = result.failure
      if (lastError.reason._tag === "ContextTooLong") {
        // Only a model with a larger window can help:
        const window = candidate.model.contextWindow
        const larger = candidates.findIndex((c, i) => i > index && c.model.contextWindow > window)
        if (larger === -1) break
        index = larger
        continue
      }
      if (!movesOn(lastError)) break
      index += step
    }

    return yield* Effect.fail(
      lastError ??
        new GatewayError({
          reason: { _tag: "ProviderError" },
          message: `Model ${prepared.model.id} has no deployment to send the request to.`,
        }),
    )
  }).pipe(
    // Belt and braces: whatever happens inside, nothing outlives the deadline.
    (effect) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.timeoutOrElse(effect, {
          duration: Math.max(0, prepared.deadlineAt - now),
          orElse: () => Effect.fail(timeoutError("deadline", prepared.deadlineMs)),
        }),
      ),
  )
