import { RequestError } from "@tollgate/core"
import { formatResetDuration, rateLimitHeaders } from "./rate-limit-headers.ts"
import type { RateDecision, RateLimits } from "./rate-limiter.ts"

/**
 * The 429 `rate_limit_exceeded` for a refused `acquire`, shaped like OpenAI's: `type` names the
 * limit, the message says the limit, the use and when to try again, and `Retry-After` (seconds)
 * and `retry-after-ms` tell the `openai` client how long to wait.
 */
export const rateLimitError = (
  limits: RateLimits,
  decision: RateDecision,
  requestedTokens: number,
): RequestError => {
  const byTokens = decision.limitedBy === "tokens"
  const limit = byTokens ? limits.tpm : limits.rpm
  const used = byTokens ? decision.tokens : decision.requests
  const requested = byTokens ? requestedTokens : 1
  const unit = byTokens ? "tokens per min (TPM)" : "requests per min (RPM)"
  const wait = formatResetDuration(decision.resetMs)

  // A request larger than the whole TPM limit can never pass: say so instead of "wait".
  const tooLarge = byTokens && limit !== undefined && requestedTokens > limit
  const message = tooLarge
    ? `Request too large for this key on ${unit}: Limit ${limit}, Requested ${requested}. ` +
      "Lower max_tokens or the prompt size."
    : `Rate limit reached for this key on ${unit}: Limit ${limit}, Used ${used}, ` +
      `Requested ${requested}. Please try again in ${wait}.`

  return new RequestError({
    status: 429,
    message,
    type: byTokens ? "tokens" : "requests",
    code: "rate_limit_exceeded",
    param: null,
    headers: {
      ...rateLimitHeaders(limits, decision),
      "retry-after": String(Math.ceil(decision.resetMs / 1_000)),
      "retry-after-ms": String(decision.resetMs),
      ...(tooLarge ? { "x-should-retry": "false" } : {}),
    },
  })
}
