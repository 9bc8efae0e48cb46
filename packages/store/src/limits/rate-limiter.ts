import { Context, Data, type Effect } from "effect"

/** A key's per-minute limits; an absent limit is unlimited. */
export interface RateLimits {
  readonly rpm?: number
  readonly tpm?: number
}

/**
 * The outcome of one `acquire`. Counts are those of the window after the call: an allowed call
 * includes itself, a refused one was not counted.
 */
export interface RateDecision {
  readonly allowed: boolean
  /** Which limit refused, when one did. */
  readonly limitedBy?: "requests" | "tokens"
  /** Epoch ms at which the counting window began; pass it back to `adjust`. */
  readonly windowStartMs: number
  /** Milliseconds until the window ends and the counts start again from zero. */
  readonly resetMs: number
  readonly requests: number
  readonly tokens: number
}

/** The shared counter store (Redis) could not be reached or answered nonsense. */
export class RateLimiterUnavailable extends Data.TaggedError("RateLimiterUnavailable")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * Requests-per-minute and tokens-per-minute counters per key, in fixed one-minute windows
 * aligned to the UTC minute (see docs/KEYS.md, "Rate limits").
 */
export class RateLimiter extends Context.Service<
  RateLimiter,
  {
    /**
     * Counts one request and `tokens` in the current window when both still fit under the
     * limits, atomically; refuses without counting anything otherwise.
     */
    readonly acquire: (
      keyId: string,
      limits: RateLimits,
      tokens: number,
    ) => Effect.Effect<RateDecision, RateLimiterUnavailable>
    /**
     * Corrects the counts of the window that began at `windowStartMs` (a refund is negative).
     * Correcting a window that has already ended changes nothing that is still counted.
     */
    readonly adjust: (
      keyId: string,
      windowStartMs: number,
      delta: { readonly requests: number; readonly tokens: number },
    ) => Effect.Effect<void, RateLimiterUnavailable>
  }
>()("tollgate/RateLimiter") {}
