import type { ErrorReply } from "../exchange.ts"
import type { Fault } from "../types.ts"

const typeForStatus = (status: number): string => {
  if (status === 401) return "invalid_request_error"
  if (status === 403) return "permission_error"
  if (status === 429) return "requests"
  if (status >= 500) return "server_error"
  return "invalid_request_error"
}

/** An OpenAI error body: `{"error":{"message","type","param","code"}}`. */
export const openaiError = (
  status: number,
  message: string,
  options: {
    type?: string
    param?: string | null
    code?: string | null
    headers?: Record<string, string>
  } = {},
): ErrorReply => ({
  status,
  headers: options.headers ?? {},
  body: {
    error: {
      message,
      type: options.type ?? typeForStatus(status),
      param: options.param ?? null,
      code: options.code ?? null,
    },
  },
})

const retryHeaders = (seconds: number): Record<string, string> => ({
  "retry-after": String(Math.ceil(seconds)),
  "retry-after-ms": String(Math.round(seconds * 1000)),
})

/** The OpenAI answer to a fault that is an HTTP error, or undefined for the other faults. */
export const openaiFaultError = (fault: Fault, model: string): ErrorReply | undefined => {
  switch (fault.kind) {
    case "status":
      return openaiError(fault.status, fault.message ?? `Emulated error ${fault.status}.`, {
        headers: fault.retryAfterSeconds === undefined ? {} : retryHeaders(fault.retryAfterSeconds),
      })
    case "rate-limit":
      return openaiError(
        429,
        `Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, ` +
          `Requested 1. Please try again in ${fault.retryAfterSeconds}s.`,
        {
          type: "requests",
          code: "rate_limit_exceeded",
          headers: { ...retryHeaders(fault.retryAfterSeconds), "x-should-retry": "true" },
        },
      )
    case "quota":
      // A used-up quota does not clear by waiting, so the client is told not to retry:
      return openaiError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        {
          type: "insufficient_quota",
          code: "insufficient_quota",
          headers: { "x-should-retry": "false" },
        },
      )
    case "overloaded":
      return openaiError(503, "The server is overloaded or not ready yet.", {
        type: "server_error",
      })
    default:
      return undefined
  }
}
