import type { ErrorReply } from "../exchange.ts"
import type { Fault } from "../types.ts"

const typeForStatus = (status: number): string => {
  if (status === 401) return "authentication_error"
  if (status === 402) return "billing_error"
  if (status === 403) return "permission_error"
  if (status === 404) return "not_found_error"
  if (status === 413) return "request_too_large"
  if (status === 429) return "rate_limit_error"
  if (status === 529) return "overloaded_error"
  if (status >= 500) return "api_error"
  return "invalid_request_error"
}

let sequence = 0

/** An Anthropic error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export const anthropicError = (
  status: number,
  message: string,
  headers: Record<string, string> = {},
): ErrorReply => {
  const requestId = `req_emu${(++sequence).toString(36)}`
  return {
    status,
    headers: { "request-id": requestId, ...headers },
    body: {
      type: "error",
      error: { type: typeForStatus(status), message },
      request_id: requestId,
    },
  }
}

/** The `error` SSE event Anthropic sends when a stream fails after it began. */
export const anthropicErrorEvent = (): string =>
  `event: error\ndata: ${JSON.stringify({
    type: "error",
    error: { type: "overloaded_error", message: "Overloaded" },
  })}\n\n`

/** The Anthropic answer to a fault that is an HTTP error, or undefined for the other faults. */
export const anthropicFaultError = (fault: Fault): ErrorReply | undefined => {
  switch (fault.kind) {
    case "status":
      return anthropicError(
        fault.status,
        fault.message ?? `Emulated error ${fault.status}.`,
        fault.retryAfterSeconds === undefined
          ? {}
          : { "retry-after": String(fault.retryAfterSeconds) },
      )
    case "rate-limit":
      return anthropicError(
        429,
        "This request would exceed the rate limit for your organization of 50 requests per minute.",
        {
          "retry-after": String(fault.retryAfterSeconds),
          "anthropic-ratelimit-requests-limit": "50",
          "anthropic-ratelimit-requests-remaining": "0",
        },
      )
    case "quota":
      // Anthropic reports spent credit as a 400, not as a rate limit:
      return anthropicError(
        400,
        "Your credit balance is too low to access the Anthropic API. " +
          "Please go to Plans & Billing to upgrade or purchase credits.",
      )
    case "overloaded":
      return anthropicError(529, "Overloaded")
    default:
      return undefined
  }
}
