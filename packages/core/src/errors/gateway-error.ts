import { Data } from "effect"

/**
 * Why a request failed. Each reason knows whether a retry can help; the HTTP status the client
 * sees is derived from the reason, never chosen ad hoc at the call site.
 */
export type FailureReason =
  /** Connection refused or reset, DNS failure, socket closed mid-body. Retryable. */
  | { readonly _tag: "Network" }
  /** An attempt, the time to first token, the idle gap or the overall deadline ran out. */
  | { readonly _tag: "Timeout"; readonly scope: "attempt" | "first-token" | "idle" | "deadline" }
  /** 429 that will clear: retry after `retryAfterMs` when known. */
  | { readonly _tag: "RateLimited"; readonly retryAfterMs?: number }
  /** A quota or balance that is used up (429 insufficient_quota, Gemini daily quota). Not retried. */
  | { readonly _tag: "QuotaExhausted" }
  /** The provider refused our credentials (401/403 upstream). Not retried. */
  | { readonly _tag: "Authentication" }
  /** The request itself is wrong (400/404/422 upstream, or our own validation). Not retried. */
  | { readonly _tag: "BadRequest"; readonly param?: string; readonly code?: string }
  /** The prompt or output was blocked by the provider's filter. */
  | { readonly _tag: "ContentFiltered" }
  /** The prompt does not fit the model's context window. */
  | { readonly _tag: "ContextTooLong" }
  /** 408/409/5xx/529 from the provider. Retryable. */
  | { readonly _tag: "ProviderError"; readonly retryAfterMs?: number }
  /** The provider answered 200 with something we cannot use (malformed tool call, bad JSON). */
  | { readonly _tag: "InvalidOutput" }

/** A failure of one upstream attempt or of the whole request, with its reason. */
export class GatewayError extends Data.TaggedError("GatewayError")<{
  readonly reason: FailureReason
  readonly message: string
  /** The upstream's HTTP status when there was one. */
  readonly status?: number
  readonly provider?: string
  readonly deployment?: string
}> {
  /** Whether another attempt (same or next deployment) can succeed. */
  get isRetryable(): boolean {
    return isRetryableReason(this.reason)
  }

  /** The delay the upstream asked for, if any. */
  get retryAfterMs(): number | undefined {
    const r = this.reason
    return r._tag === "RateLimited" || r._tag === "ProviderError" ? r.retryAfterMs : undefined
  }
}

/** 408/409/429/5xx and network errors are retryable; 400/401/403/404/422 never are. */
export const isRetryableReason = (reason: FailureReason): boolean => {
  switch (reason._tag) {
    case "Network":
    case "RateLimited":
    case "ProviderError":
      return true
    case "Timeout":
      return reason.scope !== "deadline"
    default:
      return false
  }
}

/** Classify an upstream HTTP status when the body said nothing more specific. */
export const reasonFromStatus = (status: number, retryAfterMs?: number): FailureReason => {
  if (status === 429) return { _tag: "RateLimited", retryAfterMs }
  if (status === 401 || status === 403) return { _tag: "Authentication" }
  if (status === 408 || status === 409 || status >= 500)
    return { _tag: "ProviderError", retryAfterMs }
  return { _tag: "BadRequest" }
}
