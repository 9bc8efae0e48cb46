import { Effect } from "effect"
import type { AdapterCall } from "../adapter.ts"
import { badRequest } from "./bad-request.ts"
import { checkParameters } from "./check-parameters.ts"
import { type AnthropicRequestMessage, convertMessages } from "./convert-messages.ts"
import { type AnthropicTool, type AnthropicToolChoice, convertTools } from "./convert-tools.ts"
import { type AnthropicThinking, thinkingConfig } from "./thinking-config.ts"

/** The Messages API request body this adapter sends. */
export interface AnthropicRequestBody {
  readonly model: string
  readonly max_tokens: number
  readonly messages: ReadonlyArray<AnthropicRequestMessage>
  readonly system?: string
  readonly tools?: ReadonlyArray<AnthropicTool>
  readonly tool_choice?: AnthropicToolChoice
  readonly thinking?: AnthropicThinking
  readonly temperature?: number
  readonly top_p?: number
  readonly top_k?: number
  readonly stop_sequences?: ReadonlyArray<string>
  readonly metadata?: { readonly user_id: string }
  readonly stream?: boolean
}

/** A translated request, with what could not be honoured and whether JSON mode is on. */
export interface ConvertedRequest {
  readonly body: AnthropicRequestBody
  readonly warnings: ReadonlyArray<string>
  /** True when `response_format` became the forced `json` tool, whose input is the answer. */
  readonly jsonMode: boolean
}

/** Name of the tool that stands in for `response_format`; its input is the JSON answer. */
export const jsonToolName = "json"

/**
 * Anthropic has no response format on every model, so JSON output is a forced tool whose input
 * schema is the requested one. It would hide the client's own tools, so the two cannot be mixed.
 */
const jsonModeTools = (call: AdapterCall) => {
  const format = call.request.response_format
  if (format === null || format === undefined || format.type === "text")
    return Effect.succeed(undefined)
  if ((call.request.tools ?? []).length > 0)
    return Effect.fail(
      badRequest(
        "response_format json cannot be combined with tools on Anthropic models",
        "response_format",
      ),
    )

  const schema = format.type === "json_schema" ? format.json_schema.schema : undefined
  const tool: AnthropicTool = {
    name: jsonToolName,
    description: "Respond with the answer as this tool's input.",
    input_schema: schema ?? { type: "object", additionalProperties: true },
  }
  const choice: AnthropicToolChoice = { type: "tool", name: jsonToolName }
  return Effect.succeed({ tools: [tool], tool_choice: choice })
}

const topK = (value: unknown) => (typeof value === "number" ? value : undefined)

/** Translate one OpenAI chat request into an Anthropic Messages request. */
export const convertRequest = Effect.fn("anthropic.convertRequest")(function* (
  call: AdapterCall,
  stream: boolean,
) {
  const { request, model, deployment, controls } = call
  const warnings = [...(yield* checkParameters(request))]

  const { system, messages } = yield* convertMessages(request.messages)
  const json = yield* jsonModeTools(call)
  const tools = json ?? convertTools(request)
  const forcedTool = tools.tool_choice?.type === "any" || tools.tool_choice?.type === "tool"

  const clientMax = request.max_completion_tokens ?? request.max_tokens ?? undefined
  const thinking = thinkingConfig(controls, model, clientMax, forcedTool)
  warnings.push(...thinking.warnings)
  const thinkingOn = thinking.thinking?.type === "enabled"

  // Sampling: Anthropic caps temperature at 1 and allows no sampling changes while thinking.
  let temperature = request.temperature ?? undefined
  if (temperature !== undefined && thinkingOn && temperature !== 1) {
    warnings.push("temperature dropped: Anthropic allows no temperature change with thinking")
    temperature = undefined
  } else if (temperature !== undefined && temperature > 1) {
    warnings.push(`temperature ${temperature} capped at 1, Anthropic's maximum`)
    temperature = 1
  }
  let topP = request.top_p ?? undefined
  if (topP !== undefined && thinkingOn && topP < 0.95) {
    warnings.push("top_p dropped: Anthropic allows top_p below 0.95 only without thinking")
    topP = undefined
  }
  let k = topK(request.top_k)
  if (k !== undefined && thinkingOn) {
    warnings.push("top_k dropped: Anthropic allows no top_k with thinking")
    k = undefined
  }

  const stop = request.stop ?? undefined
  const body: AnthropicRequestBody = {
    model: deployment.upstreamModel,
    max_tokens: thinking.maxTokens,
    messages,
    ...(system === undefined ? {} : { system }),
    ...tools,
    ...(thinking.thinking === undefined ? {} : { thinking: thinking.thinking }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(k === undefined ? {} : { top_k: k }),
    ...(stop === undefined ? {} : { stop_sequences: typeof stop === "string" ? [stop] : stop }),
    ...(request.user ? { metadata: { user_id: request.user } } : {}),
    ...(stream ? { stream: true } : {}),
  }
  return { body, warnings, jsonMode: json !== undefined }
})
