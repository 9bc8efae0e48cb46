import { Clock, Deferred, Effect, Exit } from "effect"
import { GatewayError } from "../errors/gateway-error.ts"
import { timeoutError, withinDeadline } from "../resilience/deadline.ts"
import { retrySchedule } from "../resilience/retry-schedule.ts"
import { Router, type Slot } from "../routing/router.ts"
import type { Candidate, PreparedRequest } from "./prepare-request.ts"
import type { RequestRecord } from "./request-record.ts"

/** Whether a failure on one deployment should send the request on to the next candidate. */
const movesOn = (error: GatewayError): boolean =>
  error.isRetryable ||
  // Another deployment has its own key and quota:
  error.reason._tag === "QuotaExhausted" ||
  error.reason._tag === "Authentication"

/**
 * Which per-attempt limit applies: the whole answer, or the first token of a stream. A stream's
 * slot stays held past its first token: `attempt` must release it when the stream ends.
 */
export type AttemptLimit = "attempt" | "first-token"

/** What `runAttempts` needs beyond the request: the attempt, and how to drop a won value. */
export interface AttemptPlan<A, R> {
  readonly limit: AttemptLimit
  /** One upstream call on a candidate, holding `slot`. */
  readonly attempt: (candidate: Candidate, slot: Slot) => Effect.Effect<A, GatewayError, R>
  /** Frees a value that succeeded but lost a hedge race decided a moment before. */
  readonly discard?: (value: A) => Effect.Effect<void>
}

/**
 * Runs the attempt over the candidates in order: retries on each deployment with backoff, falls
 * back to the next, and when every deployment is cooling waits in line for the first to admit
 * traffic (so a 429's Retry-After is honoured), all inside the request's one deadline. Each
 * attempt holds a router slot; the router learns every outcome. Fails with the last error.
 */
export const runAttempts = <A, R>(
  prepared: PreparedRequest,
  record: RequestRecord,
  plan: AttemptPlan<A, R>,
): Effect.Effect<{ readonly value: A; readonly candidate: Candidate }, GatewayError, R | Router> =>
  Effect.gen(function* () {
    const router = yield* Router
    const { candidates, deadlineAt, deadlineMs } = prepared
    // Real upstream attempts per deployment: each gets at most `maxRetries + 1`, over all passes.
    const used = new Map<string, number>()
    const budgetLeft = (c: Candidate) =>
      (used.get(c.deployment.id) ?? 0) < c.model.resilience.maxRetries + 1

    // One upstream call. Between taking the slot and arming its release nothing can interrupt,
    // so a slot is never lost (a lost probe slot would close its deployment for good).
    const once = (candidate: Candidate, take: Effect.Effect<Slot, GatewayError>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const slot = yield* restore(take)
          const { deployment, model } = candidate
          used.set(deployment.id, (used.get(deployment.id) ?? 0) + 1)
          record.attempts += 1
          record.provider = deployment.provider
          record.deploymentId = deployment.id
          record.servedModel = model.id
          const startedAt = yield* Clock.currentTimeMillis

          const limitMs =
            plan.limit === "attempt"
              ? model.resilience.attemptTimeoutMs
              : model.resilience.firstTokenTimeoutMs
          const where = { provider: deployment.provider, deployment: deployment.id }
          const call = withinDeadline(plan.attempt(candidate, slot), {
            limitMs,
            scope: plan.limit,
            deadlineAt,
            deadlineMs,
            where,
          })
          return yield* restore(call).pipe(
            Effect.onExit((exit) =>
              Effect.flatMap(Clock.currentTimeMillis, (endedAt) => {
                if (Exit.isSuccess(exit)) {
                  const ok = { ok: true, latencyMs: endedAt - startedAt } as const
                  // A stream keeps its slot until it ends; its first token speaks for health now.
                  return plan.limit === "first-token"
                    ? router.settle(slot, ok)
                    : router.release(slot, ok)
                }
                const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
                return router.release(
                  slot,
                  failure?._tag === "Fail"
                    ? { ok: false, error: failure.error }
                    : { ok: "abandoned" },
                )
              }),
            ),
          )
        }),
      )

    // Retries on one deployment (5xx, network, timeouts) with backoff. A cooling deployment (a
    // 429 with Retry-After, or a refusal by the router) is left to the main loop, which moves on
    // or waits in line for its cooldown's end; so is any 429 when another candidate is left.
    const inPlace = (error: GatewayError, hasMore: boolean) =>
      error.reason._tag !== "RateLimited" || (error.retryAfterMs === undefined && !hasMore)

    const onCandidate = (candidate: Candidate, held: Slot | undefined, hasMore: boolean) => {
      let ready = held
      const take = Effect.suspend(() => {
        if (ready === undefined) return router.acquire(candidate.deployment)
        const slot = ready
        ready = undefined
        return Effect.succeed(slot)
      })
      return Effect.retry(once(candidate, take), {
        schedule: retrySchedule(candidate.model.resilience, deadlineAt),
        while: (error) => error.isRetryable && inPlace(error, hasMore) && budgetLeft(candidate),
      }).pipe(
        Effect.onExit((exit) =>
          // A grant never used (the deadline came first) goes back to the router:
          ready === undefined || Exit.isSuccess(exit)
            ? Effect.void
            : router.release(ready, { ok: "abandoned" }),
        ),
        Effect.map((value) => ({ value, candidate })),
      )
    }

    // Hedging: when the first deployment is slow to produce (or fails early), a second one races
    // it; the first to succeed wins and the other is interrupted (its upstream call aborted).
    const hedged = (
      primary: Candidate,
      partner: Candidate,
      delayMs: number,
      held: Slot | undefined,
      hasMore: boolean,
    ) =>
      Effect.gen(function* () {
        let decided = false
        let primaryError: GatewayError | undefined
        let partnerRunning = false
        // A side that succeeds after the race was decided frees what it holds at once:
        const side = (effect: Effect.Effect<{ value: A; candidate: Candidate }, GatewayError, R>) =>
          effect.pipe(
            Effect.tap(({ value }) => {
              if (!decided) {
                decided = true
                return Effect.void
              }
              return plan.discard === undefined ? Effect.void : plan.discard(value)
            }),
          )
        const primaryFailed = yield* Deferred.make<void>()
        const first = side(onCandidate(primary, held, true)).pipe(
          Effect.tapError((error) => {
            primaryError = error
            return Deferred.succeed(primaryFailed, undefined)
          }),
        )
        const second = Effect.raceFirst(Effect.sleep(delayMs), Deferred.await(primaryFailed)).pipe(
          Effect.andThen(
            Effect.suspend(() => {
              // The request's own fault (a 400, too long): another deployment would refuse it too.
              if (primaryError !== undefined && !movesOn(primaryError)) {
                return Effect.fail(primaryError)
              }
              partnerRunning = true
              return side(onCandidate(partner, undefined, hasMore)).pipe(
                Effect.tapError(() => Effect.sync(() => (partnerRunning = false))),
              )
            }),
          ),
        )
        const won = yield* Effect.race(first, second)

        // The side still running when the other won was aborted: its prompt was sent and is
        // billed. A side that had already failed is an ordinary failed attempt, not a hedge.
        const loser =
          won.candidate === primary
            ? partnerRunning
              ? partner
              : undefined
            : primaryError === undefined
              ? primary
              : undefined
        if (loser !== undefined) {
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

    let lastError: GatewayError | undefined
    let index = 0
    // A slot granted by a wait and not yet handed to its attempt:
    let held: Slot | undefined
    const loop = Effect.gen(function* () {
      while (true) {
        if (index >= candidates.length) {
          // Every candidate failed or is cooling. If the failures pass with time, wait in line for
          // the first deployment to admit traffic again, within the deadline and attempt budgets:
          if (lastError === undefined || !lastError.isRetryable) break
          const open = candidates.filter(budgetLeft)
          if (open.length === 0) break
          const deployments = [...new Map(open.map((c) => [c.deployment.id, c.deployment]))]
          const slot = yield* router.waitForAny(
            deployments.map(([, d]) => d),
            deadlineAt,
          )
          if (slot === undefined) break
          held = slot
          index = candidates.findIndex(
            (c) => c.deployment.id === slot.deployment.id && budgetLeft(c),
          )
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

        const slot = held
        held = undefined
        const result = yield* Effect.result(
          hedge
            ? hedged(candidate, partner, delayMs, slot, hasMore)
            : onCandidate(candidate, slot, hasMore),
        )
        if (result._tag === "Success") {
          const served = result.success.candidate
          record.provider = served.deployment.provider
          record.deploymentId = served.deployment.id
          record.servedModel = served.model.id
          return result.success as { readonly value: A; readonly candidate: Candidate }
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
      return undefined
    })

    const served = yield* loop.pipe(
      Effect.onExit(() =>
        held === undefined ? Effect.void : router.release(held, { ok: "abandoned" }),
      ),
    )
    if (served !== undefined) return served
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
