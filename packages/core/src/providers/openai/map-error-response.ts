import { z } from "zod"
import type { Deployment } from "../../catalog/types.ts"
import { type FailureReason, GatewayError, reasonFromStatus } from "../../errors/gateway-error.ts"
import { parseRetryAfterMs } from "../../resilience/retry-after.ts"

/** An OpenAI-shaped error body, loosely: servers differ in which fields they fill. */
const ErrorPayload = z.looseObject({
  error: z.union([
    z.looseObject({
      message: z.string().nullish(),
      type: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      param: z.string().nullish(),
    }),
    z.string(),
  ]),
})

/** The upstream's error fields, whatever shape it used. */
export interface UpstreamErrorDetail {
  readonly message?: string
  readonly type?: string
  readonly code?: string
  readonly param?: string
}

/** Reads an error body; anything unparsable yields its first characters as the message. */
export const parseErrorDetail = (text: string): UpstreamErrorDetail => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return text.trim() === "" ? {} : { message: text.slice(0, 200) }
  }

  const parsed = ErrorPayload.safeParse(json)
  if (!parsed.success) return {}

  const error = parsed.data.error
  if (typeof error === "string") return { message: error }
  return {
    ...(error.message == null ? {} : { message: error.message }),
    ...(error.type == null ? {} : { type: error.type }),
    ...(error.code == null ? {} : { code: String(error.code) }),
    ...(error.param == null ? {} : { param: error.param }),
  }
}

const reasonOf = (
  status: number,
  detail: UpstreamErrorDetail,
  retryAfterMs: number | undefined,
): FailureReason => {
  if (
    status === 429 &&
    (detail.code === "insufficient_quota" || detail.type === "insufficient_quota")
  ) {
    return { _tag: "QuotaExhausted" }
  }
  if (detail.code === "context_length_exceeded") return { _tag: "ContextTooLong" }
  if (detail.code === "content_filter" || detail.code === "content_policy_violation") {
    return { _tag: "ContentFiltered" }
  }

  const reason = reasonFromStatus(status, retryAfterMs)
  if (reason._tag !== "BadRequest") return reason
  return {
    _tag: "BadRequest",
    ...(detail.param === undefined ? {} : { param: detail.param }),
    ...(detail.code === undefined ? {} : { code: detail.code }),
  }
}

/** Maps a non-2xx answer of an OpenAI-compatible server to a `GatewayError` with its reason. */
export const mapErrorResponse = (input: {
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: string
  readonly deployment: Deployment
  readonly now: number
}): GatewayError => {
  const detail = parseErrorDetail(input.body)
  const retryAfterMs = parseRetryAfterMs(input.headers, input.now)
  const provider = input.deployment.provider
  return new GatewayError({
    reason: reasonOf(input.status, detail, retryAfterMs),
    message: `${provider} returned ${input.status}: ${detail.message ?? "no error message"}`,
    status: input.status,
    provider,
    deployment: input.deployment.id,
  })
}
