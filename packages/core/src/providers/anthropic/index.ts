import { Clock, Effect, Stream } from "effect"
import { Sse } from "effect/encoding"
import { GatewayError } from "../../errors/gateway-error.ts"
import type { AdapterCall, ProviderAdapter } from "../adapter.ts"
import { AnthropicMessage } from "./anthropic-schemas.ts"
import { convertRequest } from "./convert-request.ts"
import { convertResponse, type ResponseOptions } from "./convert-response.ts"
import { anthropicParameters } from "./parameters.ts"
import { sendRequest } from "./send-request.ts"
import { makeStreamParser } from "./stream-parser.ts"

export { anthropicParameters } from "./parameters.ts"

const invalidOutput = (message: string) =>
  new GatewayError({ reason: { _tag: "InvalidOutput" }, message, provider: "anthropic" })

const responseOptions = (call: AdapterCall, jsonMode: boolean) =>
  Effect.map(
    Clock.currentTimeMillis,
    (now): ResponseOptions => ({
      model: call.model.id,
      created: Math.floor(now / 1000),
      includeReasoning: call.controls.includeReasoning,
      jsonMode,
    }),
  )

const complete = Effect.fn("anthropic.complete")(function* (call: AdapterCall) {
  const { body, warnings, jsonMode } = yield* convertRequest(call, false)
  const response = yield* sendRequest(call.deployment, body)

  const json = yield* response.json.pipe(
    Effect.mapError(() => invalidOutput("Anthropic answered with a body that is not JSON")),
  )
  const parsed = AnthropicMessage.safeParse(json)
  if (!parsed.success)
    return yield* invalidOutput("Anthropic answered with an unexpected message shape")

  const converted = convertResponse(parsed.data, yield* responseOptions(call, jsonMode))
  return { ...converted, warnings }
})

const stream = Effect.fn("anthropic.stream")(function* (call: AdapterCall) {
  const { body, warnings, jsonMode } = yield* convertRequest(call, true)
  const response = yield* sendRequest(call.deployment, body)
  const options = yield* responseOptions(call, jsonMode)

  const chunks = Stream.suspend(() => {
    const parser = makeStreamParser(options)
    return response.stream.pipe(
      Stream.decodeText,
      Stream.pipeThroughChannel(Sse.decode()),
      Stream.mapError(
        (error) =>
          new GatewayError({
            reason: { _tag: "Network" },
            message: `Anthropic stream failed: ${"message" in error ? error.message : error._tag}`,
            provider: "anthropic",
          }),
      ),
      Stream.mapEffect((event) => parser.push(event.data)),
      Stream.concat(Stream.fromEffect(parser.end)),
      Stream.flattenIterable,
    )
  })
  return { chunks, warnings }
})

/** The Anthropic Messages adapter: OpenAI chat requests in, Anthropic's answers back as OpenAI. */
export const anthropicAdapter: ProviderAdapter = {
  api: "anthropic",
  parameters: anthropicParameters,
  complete,
  stream,
}
