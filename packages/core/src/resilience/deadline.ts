import { Clock, Duration, Effect } from "effect"
import { GatewayError } from "../errors/gateway-error.ts"

/** The timeout failure for a scope, carrying where it happened. */
export const timeoutError = (
  scope: "attempt" | "first-token" | "idle" | "deadline",
  ms: number,
  where?: { readonly provider?: string; readonly deployment?: string },
) =>
  new GatewayError({
    reason: { _tag: "Timeout", scope },
    message:
      scope === "deadline"
        ? `The request's deadline of ${ms} ms was reached.`
        : `No ${scope === "attempt" ? "answer" : scope === "idle" ? "chunk" : "first token"} ` +
          `within ${ms} ms${where?.provider === undefined ? "" : ` from ${where.provider}`}.`,
    ...where,
  })

/** Milliseconds left until `deadlineAt` (epoch ms) by the effect Clock; never negative. */
export const remainingMs = (deadlineAt: number) =>
  Effect.map(Clock.currentTimeMillis, (now) => Math.max(0, deadlineAt - now))

/**
 * Runs `effect` with a limit of `limitMs`, cut short by the deadline: whichever ends first fails
 * it with a `Timeout` of the matching scope (a deadline timeout is never retried).
 */
export const withinDeadline = <A, R>(
  effect: Effect.Effect<A, GatewayError, R>,
  options: {
    readonly limitMs: number
    readonly scope: "attempt" | "first-token" | "idle"
    readonly deadlineAt: number
    readonly deadlineMs: number
    readonly where?: { readonly provider?: string; readonly deployment?: string }
  },
): Effect.Effect<A, GatewayError, R> =>
  Effect.flatMap(remainingMs(options.deadlineAt), (left) => {
    if (left <= 0) return Effect.fail(timeoutError("deadline", options.deadlineMs, options.where))
    const byDeadline = left <= options.limitMs
    return Effect.timeoutOrElse(effect, {
      duration: Duration.millis(byDeadline ? left : options.limitMs),
      orElse: () =>
        Effect.fail(
          byDeadline
            ? timeoutError("deadline", options.deadlineMs, options.where)
            : timeoutError(options.scope, options.limitMs, options.where),
        ),
    })
  })
