import { assert, describe, it } from "@effect/vitest"
import { rateLimitError } from "./rate-limit-error.ts"
import { formatResetDuration, rateLimitHeaders } from "./rate-limit-headers.ts"

describe("rate limit headers", () => {
  it("writes reset durations the way OpenAI does", () => {
    assert.strictEqual(formatResetDuration(20), "20ms")
    assert.strictEqual(formatResetDuration(1_000), "1s")
    assert.strictEqual(formatResetDuration(6_500), "6.5s")
    assert.strictEqual(formatResetDuration(60_000), "1m0s")
  })

  it("sends limit, remaining and reset for requests and tokens", () => {
    const decision = {
      allowed: true,
      windowStartMs: 0,
      resetMs: 12_000,
      requests: 3,
      tokens: 1_500,
    }

    const headers = rateLimitHeaders({ rpm: 10, tpm: 10_000 }, decision)

    assert.deepStrictEqual(headers, {
      "x-ratelimit-limit-requests": "10",
      "x-ratelimit-remaining-requests": "7",
      "x-ratelimit-reset-requests": "12s",
      "x-ratelimit-limit-tokens": "10000",
      "x-ratelimit-remaining-tokens": "8500",
      "x-ratelimit-reset-tokens": "12s",
    })
  })

  it("omits the headers of a limit the key does not have", () => {
    const decision = { allowed: true, windowStartMs: 0, resetMs: 1, requests: 1, tokens: 5 }

    assert.deepStrictEqual(Object.keys(rateLimitHeaders({ tpm: 100 }, decision)), [
      "x-ratelimit-limit-tokens",
      "x-ratelimit-remaining-tokens",
      "x-ratelimit-reset-tokens",
    ])
  })

  it("refuses with 429 rate_limit_exceeded, Retry-After and the headers", () => {
    const decision = {
      allowed: false,
      limitedBy: "requests" as const,
      windowStartMs: 0,
      resetMs: 2_400,
      requests: 10,
      tokens: 0,
    }

    const error = rateLimitError({ rpm: 10 }, decision, 50)

    assert.strictEqual(error.status, 429)
    assert.strictEqual(error.code, "rate_limit_exceeded")
    assert.strictEqual(error.type, "requests")
    assert.include(error.message, "Limit 10, Used 10, Requested 1")
    assert.strictEqual(error.headers?.["retry-after"], "3")
    assert.strictEqual(error.headers?.["retry-after-ms"], "2400")
    assert.strictEqual(error.headers?.["x-ratelimit-remaining-requests"], "0")
  })

  it("tells a request larger than the whole tpm not to retry", () => {
    const decision = {
      allowed: false,
      limitedBy: "tokens" as const,
      windowStartMs: 0,
      resetMs: 30_000,
      requests: 0,
      tokens: 0,
    }

    const error = rateLimitError({ tpm: 1_000 }, decision, 4_000)

    assert.include(error.message, "Request too large")
    assert.strictEqual(error.headers?.["x-should-retry"], "false")
  })
})
