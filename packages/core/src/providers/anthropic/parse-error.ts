import { type FailureReason, GatewayError, reasonFromStatus } from "../../errors/gateway-error.ts"
import { AnthropicErrorBody } from "./anthropic-schemas.ts"

const contextTooLong = /prompt is too long|context (window|length)|too many (input )?tokens/i

/** The delay a response asks for, from `retry-after-ms` or `retry-after` (whole seconds). */
export const retryAfterMs = (headers: Readonly<Record<string, string | undefined>>) => {
  const ms = Number(headers["retry-after-ms"])
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(ms) && ms >= 0) return ms
  const seconds = Number(headers["retry-after"])
  if (headers["retry-after"] !== undefined && Number.isFinite(seconds) && seconds >= 0)
    return seconds * 1000
  return undefined
}

const reasonFor = (
  type: string,
  message: string,
  status: number | undefined,
  retryAfter: number | undefined,
): FailureReason => {
  switch (type) {
    case "overloaded_error":
    case "api_error":
    case "timeout_error":
      return { _tag: "ProviderError", retryAfterMs: retryAfter }
    case "rate_limit_error":
      return { _tag: "RateLimited", retryAfterMs: retryAfter }
    case "billing_error":
      return { _tag: "QuotaExhausted" }
    case "authentication_error":
    case "permission_error":
      return { _tag: "Authentication" }
    case "invalid_request_error":
      return contextTooLong.test(message) ? { _tag: "ContextTooLong" } : { _tag: "BadRequest" }
    case "not_found_error":
    case "request_too_large":
      return { _tag: "BadRequest" }
    default:
      // An error type newer than this adapter: the status still says what kind of failure it is.
      return status === undefined
        ? { _tag: "ProviderError", retryAfterMs: retryAfter }
        : reasonFromStatus(status, retryAfter)
  }
}

/**
 * Turn an Anthropic error (`{"type":"error","error":{"type","message"}}`) into a GatewayError.
 * `status` is undefined for an `error` event inside a stream that had already answered 200.
 */
export const anthropicError = (
  status: number | undefined,
  detail: { readonly type: string; readonly message?: string | undefined },
  retryAfter?: number,
  deployment?: string,
): GatewayError => {
  const message = detail.message ?? detail.type
  return new GatewayError({
    reason: reasonFor(detail.type, message, status, retryAfter),
    message: `Anthropic: ${message}`,
    provider: "anthropic",
    ...(status === undefined ? {} : { status }),
    ...(deployment === undefined ? {} : { deployment }),
  })
}

/** Classify a non-2xx Messages response from its status, headers and body text. */
export const parseErrorResponse = (
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  text: string,
  deployment?: string,
): GatewayError => {
  const retryAfter = retryAfterMs(headers)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }

  const parsed = AnthropicErrorBody.safeParse(json)
  if (parsed.success) return anthropicError(status, parsed.data.error, retryAfter, deployment)
  return new GatewayError({
    reason: reasonFromStatus(status, retryAfter),
    message: `Anthropic answered ${status}: ${text.slice(0, 200)}`,
    provider: "anthropic",
    status,
    ...(deployment === undefined ? {} : { deployment }),
  })
}
