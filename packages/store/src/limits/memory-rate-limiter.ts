import { Clock, Effect, Layer } from "effect"
import { type RateDecision, RateLimiter } from "./rate-limiter.ts"
import { fits, windowResetMs, windowStart } from "./window.ts"

interface Counter {
  windowStartMs: number
  requests: number
  tokens: number
}

/**
 * Counters in this process's memory: exact for one instance, multiplied by the number of
 * instances when several share keys (use the Redis limiter then).
 */
export const makeMemoryRateLimiter = (): RateLimiter["Service"] => {
  const counters = new Map<string, Counter>()

  // Drop counters of finished windows now and then so that idle keys do not accumulate:
  let lastSweep = 0
  const sweep = (start: number) => {
    if (start === lastSweep) return
    lastSweep = start
    for (const [keyId, counter] of counters) {
      if (counter.windowStartMs < start) counters.delete(keyId)
    }
  }

  const current = (keyId: string, start: number): Counter => {
    const existing = counters.get(keyId)
    if (existing !== undefined && existing.windowStartMs === start) return existing

    const fresh = { windowStartMs: start, requests: 0, tokens: 0 }
    counters.set(keyId, fresh)
    return fresh
  }

  return RateLimiter.of({
    acquire: (keyId, limits, tokens) =>
      Effect.map(Clock.currentTimeMillis, (now): RateDecision => {
        const start = windowStart(now)
        sweep(start)
        const counter = current(keyId, start)
        const limitedBy = fits(limits, counter, tokens)

        if (limitedBy === undefined) {
          counter.requests += 1
          counter.tokens += tokens
        }

        return {
          allowed: limitedBy === undefined,
          ...(limitedBy === undefined ? {} : { limitedBy }),
          windowStartMs: start,
          resetMs: windowResetMs(start, now),
          requests: counter.requests,
          tokens: counter.tokens,
        }
      }),

    adjust: (keyId, windowStartMs, delta) =>
      Effect.sync(() => {
        const counter = counters.get(keyId)
        if (counter === undefined || counter.windowStartMs !== windowStartMs) return

        counter.requests = Math.max(0, counter.requests + delta.requests)
        counter.tokens = Math.max(0, counter.tokens + delta.tokens)
      }),
  })
}

/** The in-memory `RateLimiter`, the embedded default. */
export const MemoryRateLimiterLive = Layer.sync(RateLimiter, makeMemoryRateLimiter)
