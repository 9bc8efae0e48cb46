import type { FailureReason, GatewayError } from "../errors/gateway-error.ts"
import type { RequestError } from "../errors/request-error.ts"
import type { ErrorBody } from "../openai/chat-schemas.ts"

/** An error as the app sends it: status, OpenAI-shaped body, extra headers. */
export interface ErrorResponse {
  readonly status: number
  readonly body: ErrorBody
  readonly headers: Readonly<Record<string, string>>
}

const body = (message: string, type: string, param: string | null, code: string | null) => ({
  error: { message, type, param, code },
})

/** Status, OpenAI `type` and `code` for an upstream failure that retries could not overcome. */
const classify = (reason: FailureReason): { status: number; type: string; code: string } => {
  switch (reason._tag) {
    case "Timeout":
      return {
        status: 504,
        type: "timeout_error",
        code: reason.scope === "deadline" ? "deadline_exceeded" : "upstream_timeout",
      }
    case "BadRequest":
      return {
        status: 400,
        type: "invalid_request_error",
        code: reason.code ?? "upstream_rejected",
      }
    case "ContextTooLong":
      return { status: 400, type: "invalid_request_error", code: "context_length_exceeded" }
    case "ContentFiltered":
      return { status: 400, type: "invalid_request_error", code: "content_filter" }
    case "RateLimited":
      return { status: 502, type: "upstream_error", code: "upstream_rate_limited" }
    case "QuotaExhausted":
      return { status: 502, type: "upstream_error", code: "upstream_quota_exhausted" }
    case "Authentication":
      return { status: 502, type: "upstream_error", code: "upstream_authentication_failed" }
    case "Network":
      return { status: 502, type: "upstream_error", code: "upstream_network_error" }
    case "InvalidOutput":
      return { status: 502, type: "upstream_error", code: "upstream_invalid_output" }
    case "ProviderError":
      return { status: 502, type: "upstream_error", code: "upstream_error" }
  }
}

/**
 * The one place where failures become HTTP answers: a `RequestError` as decided, an upstream
 * failure as 400 (the upstream refused the request itself), 504 (time ran out) or 502.
 */
export const toErrorResponse = (error: GatewayError | RequestError): ErrorResponse => {
  if (error._tag === "RequestError") {
    return {
      status: error.status,
      body: body(error.message, error.type, error.param, error.code),
      headers: error.headers ?? {},
    }
  }

  const { status, type, code } = classify(error.reason)
  const param = error.reason._tag === "BadRequest" ? (error.reason.param ?? null) : null
  const retryAfterMs = error.retryAfterMs
  return {
    status,
    body: body(error.message, type, param, code),
    headers:
      retryAfterMs === undefined ? {} : { "retry-after": String(Math.ceil(retryAfterMs / 1000)) },
  }
}
