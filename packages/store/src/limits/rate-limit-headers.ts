import type { RateDecision, RateLimits } from "./rate-limiter.ts"

/**
 * A duration the way OpenAI writes it in `x-ratelimit-reset-*`: `20ms`, `1s`, `6.5s`, `1m0s`.
 */
export const formatResetDuration = (ms: number): string => {
  const whole = Math.max(0, Math.ceil(ms))
  if (whole < 1_000) return `${whole}ms`

  const minutes = Math.floor(whole / 60_000)
  const seconds = (whole % 60_000) / 1_000
  const secondsText = `${Number(seconds.toFixed(3))}s`
  return minutes > 0 ? `${minutes}m${secondsText}` : secondsText
}

/**
 * The `x-ratelimit-*` headers OpenAI sends, for the limits the key has. A key without an RPM
 * limit gets no `*-requests` headers (there is nothing to count down).
 */
export const rateLimitHeaders = (
  limits: RateLimits,
  decision: RateDecision,
): Record<string, string> => {
  const headers: Record<string, string> = {}
  const reset = formatResetDuration(decision.resetMs)

  if (limits.rpm !== undefined) {
    headers["x-ratelimit-limit-requests"] = String(limits.rpm)
    headers["x-ratelimit-remaining-requests"] = String(Math.max(0, limits.rpm - decision.requests))
    headers["x-ratelimit-reset-requests"] = reset
  }

  if (limits.tpm !== undefined) {
    headers["x-ratelimit-limit-tokens"] = String(limits.tpm)
    headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, limits.tpm - decision.tokens))
    headers["x-ratelimit-reset-tokens"] = reset
  }

  return headers
}
