import { describe, expect, it } from "@effect/vitest"
import { parseError, parseRetryDelay } from "./parse-error.ts"

const body = (status: string, message: string, details: ReadonlyArray<unknown> = []) =>
  JSON.stringify({ error: { code: 0, message, status, details } })

describe("Gemini error bodies", () => {
  it("reads protobuf durations as milliseconds", () => {
    expect(parseRetryDelay("34.4s")).toBe(34_400)
    expect(parseRetryDelay("2s")).toBe(2000)
    expect(parseRetryDelay("soon")).toBeUndefined()
  })

  it("treats a used-up per-day quota as exhausted even with a RetryInfo", () => {
    const error = parseError(
      429,
      body("RESOURCE_EXHAUSTED", "You exceeded your current quota", [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [{ quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier" }],
        },
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "36s" },
      ]),
    )
    expect(error.reason).toEqual({ _tag: "QuotaExhausted" })
    expect(error.isRetryable).toBe(false)
  })

  it("treats a per-minute quota with a RetryInfo as a rate limit", () => {
    const error = parseError(
      429,
      body("RESOURCE_EXHAUSTED", "You exceeded your current quota", [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [{ quotaId: "GenerateRequestsPerMinutePerProjectPerModel" }],
        },
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" },
      ]),
    )
    expect(error.reason).toEqual({ _tag: "RateLimited", retryAfterMs: 7000 })
  })

  it("treats an exceeded plan quota without a retry delay as exhausted", () => {
    const message = "You exceeded your current quota, please check your plan and billing details."
    expect(parseError(429, body("RESOURCE_EXHAUSTED", message)).reason).toEqual({
      _tag: "QuotaExhausted",
    })
  })

  it("retries Google's bare 'resource exhausted' as a rate limit", () => {
    const message = "Resource has been exhausted (e.g. check quota)."
    expect(parseError(429, body("RESOURCE_EXHAUSTED", message)).reason).toEqual({
      _tag: "RateLimited",
      retryAfterMs: undefined,
    })
  })

  it("keeps Google's message for INVALID_ARGUMENT as a bad request", () => {
    const error = parseError(400, body("INVALID_ARGUMENT", "Invalid value at 'contents[0]'"))
    expect(error.reason).toEqual({ _tag: "BadRequest" })
    expect(error.message).toBe("Invalid value at 'contents[0]'")
    expect(error.status).toBe(400)
  })

  it("recognises an invalid API key sent back as a 400", () => {
    const error = parseError(
      400,
      body("INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" },
      ]),
    )
    expect(error.reason).toEqual({ _tag: "Authentication" })
  })

  it("maps 401 and 403 to authentication failures", () => {
    expect(parseError(401, body("UNAUTHENTICATED", "no")).reason._tag).toBe("Authentication")
    expect(parseError(403, body("PERMISSION_DENIED", "no")).reason._tag).toBe("Authentication")
  })

  it("recognises a prompt longer than the context window", () => {
    const message =
      "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)."
    expect(parseError(400, body("INVALID_ARGUMENT", message)).reason._tag).toBe("ContextTooLong")
  })

  it("maps 5xx to a retryable provider error, keeping Retry-After", () => {
    const error = parseError(503, body("UNAVAILABLE", "The model is overloaded."), "2")
    expect(error.reason).toEqual({ _tag: "ProviderError", retryAfterMs: 2000 })
    expect(error.isRetryable).toBe(true)
    expect(parseError(500, "upstream exploded").message).toBe("upstream exploded")
  })

  it("maps an unknown model to a bad request", () => {
    const error = parseError(404, body("NOT_FOUND", "models/gemini-9 is not found"))
    expect(error.reason).toEqual({ _tag: "BadRequest", code: "model_not_found" })
  })
})
