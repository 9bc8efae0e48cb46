import { Effect, Redacted, Stream } from "effect"
import { Sse } from "effect/encoding"
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import type { Deployment } from "../../catalog/types.ts"
import { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import type { AdapterCall, ProviderAdapter } from "../adapter.ts"
import { convertRequest } from "./convert-request.ts"
import { convertResponse, invalidOutput } from "./convert-response.ts"
import { makeStreamConverter, type StreamConverter } from "./convert-stream.ts"
import { GeminiErrorBody, GeminiResponse } from "./gemini-schemas.ts"
import { geminiParameters } from "./parameters.ts"
import { parseError } from "./parse-error.ts"

const networkError = (cause: unknown): GatewayError =>
  new GatewayError({
    reason: { _tag: "Network" },
    message: `Gemini connection failed: ${cause instanceof Error ? cause.message : String(cause)}`,
    provider: "google",
  })

const endpoint = (deployment: Deployment, stream: boolean): string => {
  const base = deployment.baseUrl.replace(/\/+$/, "")
  const model = deployment.upstreamModel.replace(/^models\//, "")
  return `${base}/models/${model}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`
}

/** Send the body; a non-2xx answer becomes a GatewayError built from Google's error body. */
const send = Effect.fnUntraced(function* (call: AdapterCall, body: unknown, stream: boolean) {
  const client = yield* HttpClient.HttpClient
  const key = call.deployment.apiKey
  const request = HttpClientRequest.post(endpoint(call.deployment, stream)).pipe(
    HttpClientRequest.setHeader("accept", stream ? "text/event-stream" : "application/json"),
    key === undefined
      ? (r) => r
      : HttpClientRequest.setHeader("x-goog-api-key", Redacted.value(key)),
    HttpClientRequest.bodyJsonUnsafe(body),
  )
  const response = yield* client.execute(request).pipe(Effect.mapError(networkError))
  if (response.status >= 200 && response.status < 300) return response
  const text = yield* response.text.pipe(Effect.mapError(networkError))
  return yield* Effect.fail(
    parseError(response.status, text, response.headers["retry-after"], call.deployment.id),
  )
})

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const complete = Effect.fn("gemini.complete")(function* (call: AdapterCall) {
  const { body, warnings } = yield* convertRequest(call)
  const response = yield* send(call, body, false)
  const text = yield* response.text.pipe(Effect.mapError(networkError))
  const parsed = GeminiResponse.safeParse(parseJson(text))
  if (!parsed.success) return yield* Effect.fail(invalidOutput("an unreadable response body"))
  return yield* convertResponse(parsed.data, {
    model: call.model.id,
    includeReasoning: call.controls.includeReasoning,
    warnings,
  })
})

/** One SSE `data:` payload -> chunks, or the error it carries. */
const handleEvent = (
  data: string,
  converter: StreamConverter,
): Stream.Stream<ChatCompletionChunk, GatewayError> => {
  const json = parseJson(data)
  const error = GeminiErrorBody.safeParse(json)
  if (error.success) return Stream.fail(parseError(error.data.error.code ?? 500, data))
  const event = GeminiResponse.safeParse(json)
  if (!event.success) return Stream.fail(invalidOutput("an unreadable stream event"))
  const out = converter.push(event.data)
  return out instanceof GatewayError ? Stream.fail(out) : Stream.fromIterable(out)
}

const toChunks = (
  response: HttpClientResponse.HttpClientResponse,
  call: AdapterCall,
): Stream.Stream<ChatCompletionChunk, GatewayError> =>
  Stream.suspend(() => {
    const converter = makeStreamConverter({
      model: call.model.id,
      includeReasoning: call.controls.includeReasoning,
    })
    const events = response.stream.pipe(
      Stream.decodeText(),
      Stream.pipeThroughChannel(Sse.decode()),
      Stream.mapError(networkError),
    )
    const end = Stream.suspend(() => {
      const out = converter.end()
      return out instanceof GatewayError ? Stream.fail(out) : Stream.fromIterable(out)
    })
    return events.pipe(
      Stream.flatMap((event) => handleEvent(event.data, converter)),
      Stream.concat(end),
    )
  })

const stream = Effect.fn("gemini.stream")(function* (call: AdapterCall) {
  const { body, warnings } = yield* convertRequest(call)
  const response = yield* send(call, body, true)
  return { chunks: toChunks(response, call), warnings }
})

/** The Gemini `generateContent` adapter (`deployment.api === "gemini"`), key in x-goog-api-key. */
export const geminiAdapter: ProviderAdapter = {
  api: "gemini",
  parameters: geminiParameters,
  complete,
  stream,
}
