import { Effect, Redacted } from "effect"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import type { Deployment } from "../../catalog/types.ts"
import { GatewayError } from "../../errors/gateway-error.ts"
import type { AnthropicRequestBody } from "./convert-request.ts"
import { parseErrorResponse } from "./parse-error.ts"

/** The Messages API version this adapter's translation is written against. */
export const anthropicVersion = "2023-06-01"

/**
 * POST the body to `${baseUrl}/messages` and return the response once it answered 2xx. A
 * transport failure is a `Network` error; any other status is classified from Anthropic's body.
 */
export const sendRequest = Effect.fn("anthropic.sendRequest")(function* (
  deployment: Deployment,
  body: AnthropicRequestBody,
) {
  const client = yield* HttpClient.HttpClient
  const key = deployment.apiKey
  const request = HttpClientRequest.post(`${deployment.baseUrl}/messages`).pipe(
    HttpClientRequest.setHeader("anthropic-version", anthropicVersion),
    key === undefined ? (r) => r : HttpClientRequest.setHeader("x-api-key", Redacted.value(key)),
    HttpClientRequest.bodyJsonUnsafe(body),
  )

  const response: HttpClientResponse.HttpClientResponse = yield* client.execute(request).pipe(
    Effect.mapError(
      (error) =>
        new GatewayError({
          reason: { _tag: "Network" },
          message: `Anthropic request failed: ${error.message}`,
          provider: "anthropic",
          deployment: deployment.id,
        }),
    ),
  )
  if (response.status >= 200 && response.status < 300) return response

  const text = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
  return yield* Effect.fail(
    parseErrorResponse(response.status, response.headers, text, deployment.id),
  )
})
