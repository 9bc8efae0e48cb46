import { type FailureReason, GatewayError, reasonFromStatus } from "../../errors/gateway-error.ts"
import { GeminiErrorBody } from "./gemini-schemas.ts"

type Detail = Record<string, unknown>

const typeSuffix = (detail: Detail): string => {
  const type = detail["@type"]
  return typeof type === "string" ? (type.split("/").at(-1) ?? "") : ""
}

/** `"34.4s"` (a protobuf Duration in JSON) -> milliseconds. */
export const parseRetryDelay = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim())
  return match === null ? undefined : Math.round(Number(match[1]) * 1000)
}

/** `Retry-After` in seconds (Google sends it on some 503s); HTTP dates are not used by Google. */
const retryAfterHeader = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value.trim())) return undefined
  return Math.round(Number(value) * 1000)
}

/**
 * Whether a RESOURCE_EXHAUSTED is a quota that is used up rather than a rate that will clear.
 * A per-day quota (named in QuotaFailure's `quotaId` or ErrorInfo's `quota_limit`) does not clear
 * within any retry, even when Google attaches a RetryInfo to it. Without a RetryInfo, Google's
 * "exceeded your current quota ... plan and billing" message means the plan ran out; the bare
 * "Resource has been exhausted" (shared capacity) is a rate limit worth retrying.
 */
const isQuotaUsedUp = (details: ReadonlyArray<Detail>, message: string, hasDelay: boolean) => {
  const limits = details.flatMap((detail) => {
    const kind = typeSuffix(detail)
    if (kind === "google.rpc.QuotaFailure" && Array.isArray(detail.violations))
      return detail.violations.map((v: unknown) =>
        typeof v === "object" && v !== null && "quotaId" in v ? String(v.quotaId) : "",
      )
    if (kind === "google.rpc.ErrorInfo" && typeof detail.metadata === "object" && detail.metadata)
      return "quota_limit" in detail.metadata ? [String(detail.metadata.quota_limit)] : []
    return []
  })
  if (limits.some((limit) => /PerDay/i.test(limit)) || /per day/i.test(message)) return true
  return !hasDelay && /exceeded your current quota/i.test(message)
}

const reasonOf = (
  httpStatus: number,
  status: string,
  message: string,
  details: ReadonlyArray<Detail>,
  retryAfter: number | undefined,
): FailureReason => {
  const delay = details
    .filter((d) => typeSuffix(d) === "google.rpc.RetryInfo")
    .map((d) => parseRetryDelay(d.retryDelay))
    .find((ms) => ms !== undefined)

  if (httpStatus === 429 || status === "RESOURCE_EXHAUSTED") {
    if (isQuotaUsedUp(details, message, delay !== undefined)) return { _tag: "QuotaExhausted" }
    return { _tag: "RateLimited", retryAfterMs: delay ?? retryAfter }
  }

  const keyInvalid = details.some(
    (d) => typeSuffix(d) === "google.rpc.ErrorInfo" && d.reason === "API_KEY_INVALID",
  )
  if (keyInvalid || status === "UNAUTHENTICATED" || status === "PERMISSION_DENIED")
    return { _tag: "Authentication" }

  if (/input token count.*exceeds|exceeds the maximum number of tokens/i.test(message))
    return { _tag: "ContextTooLong" }

  if (httpStatus === 404 || status === "NOT_FOUND")
    return { _tag: "BadRequest", code: "model_not_found" }

  return reasonFromStatus(httpStatus, delay ?? retryAfter)
}

/**
 * A non-2xx Gemini answer (or an error event inside a stream) -> a `GatewayError` carrying
 * Google's own message.
 */
export const parseError = (
  httpStatus: number,
  bodyText: string,
  retryAfter?: string,
  deployment?: string,
): GatewayError => {
  let json: unknown
  try {
    json = JSON.parse(bodyText)
  } catch {
    json = undefined
  }
  const parsed = GeminiErrorBody.safeParse(json)
  const error = parsed.success ? parsed.data.error : undefined
  const message = error?.message ?? (bodyText.trim().slice(0, 500) || `HTTP ${httpStatus}`)
  const status = error?.status ?? ""
  const details: ReadonlyArray<Detail> = error?.details ?? []
  return new GatewayError({
    reason: reasonOf(httpStatus, status, message, details, retryAfterHeader(retryAfter)),
    message,
    status: httpStatus,
    provider: "google",
    ...(deployment === undefined ? {} : { deployment }),
  })
}
