import { Clock, Effect, Redacted, Stream } from "effect"
import { Sse } from "effect/encoding"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import type { Deployment } from "../../catalog/types.ts"
import { GatewayError } from "../../errors/gateway-error.ts"
import { ChatCompletion } from "../../openai/chat-schemas.ts"
import { fromTransportError } from "../../resilience/transport-error.ts"
import type { AdapterCall, AdapterResult, AdapterStream, ProviderAdapter } from "../adapter.ts"
import { buildRequestBody } from "./build-request-body.ts"
import { convertUsage } from "./convert-usage.ts"
import { mapErrorResponse } from "./map-error-response.ts"
import { refusalAsContentFilter, refusalAsContentFilterStep } from "./map-refusal.ts"
import { openaiParameters } from "./parameters.ts"
import { parseEvents } from "./parse-events.ts"

const chatRequest = (deployment: Deployment, body: Record<string, unknown>) => {
  const request = HttpClientRequest.post(`${deployment.baseUrl}/chat/completions`).pipe(
    HttpClientRequest.bodyJsonUnsafe(body),
  )
  return deployment.apiKey === undefined
    ? request
    : HttpClientRequest.bearerToken(request, Redacted.value(deployment.apiKey))
}

/** Sends the request; a non-2xx answer becomes a `GatewayError` carrying the upstream's reason. */
const send = (deployment: Deployment, body: Record<string, unknown>) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client
      .execute(chatRequest(deployment, body))
      .pipe(Effect.mapError((error) => fromTransportError(error, deployment)))
    if (response.status >= 200 && response.status < 300) return response

    const text = yield* response.text.pipe(Effect.orElseSucceed(() => ""))
    const now = yield* Clock.currentTimeMillis
    return yield* Effect.fail(
      mapErrorResponse({
        status: response.status,
        headers: response.headers,
        body: text,
        deployment,
        now,
      }),
    )
  })

const invalidOutput = (deployment: Deployment, why: string) =>
  new GatewayError({
    reason: { _tag: "InvalidOutput" },
    message: `${deployment.provider} answered with an unreadable completion: ${why}`,
    provider: deployment.provider,
    deployment: deployment.id,
  })

const readCompletion = (response: HttpClientResponse.HttpClientResponse, deployment: Deployment) =>
  response.json.pipe(
    Effect.mapError((error) =>
      error.reason._tag === "DecodeError"
        ? invalidOutput(deployment, "not JSON")
        : fromTransportError(error, deployment),
    ),
    Effect.flatMap((json) => {
      const parsed = ChatCompletion.safeParse(json)
      return parsed.success
        ? Effect.succeed(parsed.data)
        : Effect.fail(invalidOutput(deployment, parsed.error.issues[0]?.message ?? ""))
    }),
  )

const complete = (call: AdapterCall) =>
  Effect.gen(function* () {
    const { body, warnings } = buildRequestBody(call, false)
    const response = yield* send(call.deployment, body)
    const completion = refusalAsContentFilter(yield* readCompletion(response, call.deployment))
    const result: AdapterResult = {
      response: completion,
      usage: convertUsage(completion.usage),
      warnings,
    }
    return result
  })

const stream = (call: AdapterCall) =>
  Effect.gen(function* () {
    const { deployment } = call
    const { body, warnings } = buildRequestBody(call, true)
    const response = yield* send(deployment, body)

    const events = response.stream.pipe(
      Stream.decodeText(),
      Stream.pipeThroughChannel(Sse.decode()),
      Stream.mapError((error) =>
        error._tag === "HttpClientError"
          ? fromTransportError(error, deployment)
          : new GatewayError({
              reason: { _tag: "InvalidOutput" },
              message: `${deployment.provider} sent a malformed event stream`,
              provider: deployment.provider,
              deployment: deployment.id,
            }),
      ),
    )
    const chunks = parseEvents(events, deployment).pipe(
      Stream.mapAccum(() => new Map(), refusalAsContentFilterStep),
    )
    const opened: AdapterStream = { chunks, warnings }
    return opened
  })

/** The OpenAI-compatible adapter: OpenAI, DeepSeek, xAI, vLLM, Ollama and the emulator. */
export const openaiAdapter: ProviderAdapter = {
  api: "openai",
  parameters: openaiParameters,
  complete,
  stream,
}
