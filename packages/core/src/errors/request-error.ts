import { Data } from "effect"

/**
 * A failure decided by the gateway itself before or instead of an upstream call: bad input,
 * authentication, permissions, unknown model, size, budget or rate limit. Rendered as is.
 */
export class RequestError extends Data.TaggedError("RequestError")<{
  readonly status: number
  readonly message: string
  /** OpenAI error `type`, e.g. `invalid_request_error`. */
  readonly type: string
  readonly code: string | null
  readonly param: string | null
  /** Extra response headers (`Retry-After`, `x-should-retry`, `x-ratelimit-*`). */
  readonly headers?: Readonly<Record<string, string>>
}> {}

/** 400 naming the offending field. */
export const badRequest = (
  message: string,
  param: string | null = null,
  code: string | null = null,
) => new RequestError({ status: 400, message, type: "invalid_request_error", code, param })
