import type { HttpClientError } from "effect/http"
import type { Deployment } from "../catalog/types.ts"
import { GatewayError } from "../errors/gateway-error.ts"

/**
 * A failure of the HTTP client itself (no usable status): connection refused or reset, body cut.
 * Every such failure is a retryable `Network` reason except a request we could not even encode.
 */
export const fromTransportError = (
  error: HttpClientError.HttpClientError,
  deployment: Deployment,
): GatewayError => {
  const reason = error.reason
  const invalid = reason._tag === "EncodeError" || reason._tag === "InvalidUrlError"
  const what = invalid ? "invalid upstream request" : "network error"
  return new GatewayError({
    reason: invalid ? { _tag: "BadRequest" } : { _tag: "Network" },
    message: `${deployment.provider}: ${what} (${reason._tag})`,
    provider: deployment.provider,
    deployment: deployment.id,
  })
}
