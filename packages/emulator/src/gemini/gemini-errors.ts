import type { ErrorReply } from "../exchange.ts"
import type { Fault } from "../types.ts"

const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
}

/** A Google error body: `{"error":{"code","message","status","details"}}`. */
export const geminiError = (
  code: number,
  message: string,
  details?: ReadonlyArray<unknown>,
  headers: Record<string, string> = {},
): ErrorReply => ({
  status: code,
  headers,
  body: {
    error: {
      code,
      message,
      status: statusNames[code] ?? (code >= 500 ? "INTERNAL" : "FAILED_PRECONDITION"),
      ...(details === undefined ? {} : { details }),
    },
  },
})

/** The 400 Google sends for a missing or wrong API key. */
export const geminiKeyError = (): ErrorReply =>
  geminiError(400, "API key not valid. Please pass a valid API key.", [
    {
      "@type": "type.googleapis.com/google.rpc.ErrorInfo",
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: "generativelanguage.googleapis.com" },
    },
  ])

const quotaFailure = (quotaId: string, model: string, quotaValue: string) => ({
  "@type": "type.googleapis.com/google.rpc.QuotaFailure",
  violations: [
    {
      quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
      quotaId,
      quotaDimensions: { location: "global", model },
      quotaValue,
    },
  ],
})

const help = {
  "@type": "type.googleapis.com/google.rpc.Help",
  links: [
    {
      description: "Learn more about Gemini API quotas",
      url: "https://ai.google.dev/gemini-api/docs/rate-limits",
    },
  ],
}

/** Google's mid-stream error payload, sent as an SSE data line. */
export const geminiStreamError = () =>
  geminiError(500, "An internal error has occurred. Please retry or report in troubleshooting.")

/** The Gemini answer to a fault that is an HTTP error, or undefined for the other faults. */
export const geminiFaultError = (fault: Fault, model: string): ErrorReply | undefined => {
  switch (fault.kind) {
    case "status": {
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined
          ? {}
          : { "retry-after": String(fault.retryAfterSeconds) }
      return geminiError(
        fault.status,
        fault.message ?? `Emulated error ${fault.status}.`,
        undefined,
        headers,
      )
    }
    case "rate-limit":
      // Google names the delay only in RetryInfo, never in a Retry-After header:
      return geminiError(
        429,
        `You exceeded your current quota, please check your plan and billing details. ` +
          `Please retry in ${fault.retryAfterSeconds}s.`,
        [
          help,
          quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", model, "10"),
          {
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            retryDelay: `${fault.retryAfterSeconds}s`,
          },
        ],
      )
    case "quota":
      return geminiError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        [help, quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier", model, "250")],
      )
    case "overloaded":
      return geminiError(503, "The model is overloaded. Please try again later.")
    default:
      return undefined
  }
}
