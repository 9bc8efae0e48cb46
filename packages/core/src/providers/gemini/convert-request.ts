import { Effect } from "effect"
import type { AdapterCall } from "../adapter.ts"
import { toGeminiSchema } from "./convert-json-schema.ts"
import { convertMessages } from "./convert-messages.ts"
import { convertTools } from "./convert-tools.ts"
import { thinkingConfig } from "./thinking-config.ts"

type Json = Record<string, unknown>

/** A `generateContent` request body, with the warnings its translation produced. */
export interface ConvertedRequest {
  readonly body: Json
  readonly warnings: ReadonlyArray<string>
}

/** OpenAI parameters Gemini has no counterpart for: accepted, ignored, and reported. */
const unsupported = ["logit_bias", "logprobs", "top_logprobs", "prediction", "audio"] as const

/** Translate one OpenAI chat request into Gemini's `generateContent` body. */
export const convertRequest = Effect.fn("gemini.convertRequest")(function* (call: AdapterCall) {
  const { request, model, controls } = call
  const warnings: Array<string> = []

  const { systemInstruction, contents } = yield* convertMessages(
    request.messages,
    { signaturesRequired: model.family.startsWith("gemini-3") },
    warnings,
  )
  const { tools, toolConfig } = convertTools(
    request.tools,
    request.tool_choice,
    request.parallel_tool_calls,
    warnings,
  )

  const extra: Json = request
  for (const name of unsupported)
    if (extra[name] !== undefined && extra[name] !== null && extra[name] !== false)
      warnings.push(`${name} is not supported by Gemini and was ignored`)

  const stop = request.stop
  const generationConfig = definedOnly({
    temperature: request.temperature,
    topP: request.top_p,
    maxOutputTokens: request.max_completion_tokens ?? request.max_tokens,
    stopSequences: typeof stop === "string" ? [stop] : stop,
    candidateCount: request.n,
    seed: request.seed,
    presencePenalty: request.presence_penalty,
    frequencyPenalty: request.frequency_penalty,
    ...responseFormat(request.response_format),
    responseModalities: responseModalities(request.generation_config?.response_modality),
    thinkingConfig: thinkingConfig(model, controls, warnings),
  })

  const body = definedOnly({
    contents,
    systemInstruction,
    tools,
    toolConfig,
    generationConfig: Object.keys(generationConfig).length > 0 ? generationConfig : undefined,
  })
  return { body, warnings } satisfies ConvertedRequest
})

const responseFormat = (format: AdapterCall["request"]["response_format"]): Json => {
  if (format === undefined || format === null || format.type === "text") return {}
  if (format.type === "json_object") return { responseMimeType: "application/json" }
  const schema = "json_schema" in format ? toGeminiSchema(format.json_schema.schema) : undefined
  return { responseMimeType: "application/json", ...(schema ? { responseSchema: schema } : {}) }
}

const responseModalities = (modality: string | undefined): ReadonlyArray<string> | undefined =>
  modality === undefined ? undefined : [modality.toUpperCase()]

/** Drop `undefined` and `null` so the body only names what the client set. */
const definedOnly = (fields: Json): Json =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null))
