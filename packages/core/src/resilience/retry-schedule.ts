import { Duration, Effect, Schedule } from "effect"
import type { ResiliencePolicy } from "../catalog/types.ts"
import type { GatewayError } from "../errors/gateway-error.ts"

/**
 * Backoff for retries on one deployment: exponential from `backoffBaseMs` with jitter, never
 * shorter than the upstream's `Retry-After`. It stops (failing with the last error) after
 * `maxRetries`, or when the next attempt could not start before `deadlineAt`: a retry that
 * cannot begin in time is never started, so nobody sleeps past the deadline.
 */
export const retrySchedule = (policy: ResiliencePolicy, deadlineAt: number) =>
  Schedule.exponential(Duration.millis(policy.backoffBaseMs)).pipe(
    Schedule.jittered,
    Schedule.setInputType<GatewayError>(),
    Schedule.modifyDelay(({ input, attempt, duration, now }) => {
      const delayMs = Math.max(Duration.toMillis(duration), input.retryAfterMs ?? 0)
      if (attempt > policy.maxRetries || now + delayMs >= deadlineAt) return Effect.fail(input)
      return Effect.succeed(Duration.millis(delayMs))
    }),
  )
