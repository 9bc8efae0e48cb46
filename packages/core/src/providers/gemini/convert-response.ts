import { Effect } from "effect"
import { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletion, ToolCall } from "../../openai/chat-schemas.ts"
import { toWireUsage } from "../../usage/usage.ts"
import type { AdapterResult } from "../adapter.ts"
import { convertUsage } from "./convert-usage.ts"
import type { GeminiCandidate, GeminiResponse } from "./gemini-schemas.ts"
import { mapFinishReason } from "./map-finish-reason.ts"
import { idKey, makeToolCallId } from "./tool-call-id.ts"

type Choice = ChatCompletion["choices"][number]

/** What the response conversion needs to know about the call. */
export interface ResponseOptions {
  /** The model name the client used, echoed in `model`. */
  readonly model: string
  readonly includeReasoning: boolean
  readonly warnings: ReadonlyArray<string>
}

/** A 200 whose output cannot be used (e.g. `MALFORMED_FUNCTION_CALL`): fails the attempt. */
export const invalidOutput = (reason: string, detail?: string): GatewayError =>
  new GatewayError({
    reason: { _tag: "InvalidOutput" },
    message: `Gemini finished with ${reason}${detail === undefined ? "" : `: ${detail}`}`,
    provider: "google",
  })

/**
 * A whole `generateContent` answer -> an OpenAI chat completion. A prompt blocked before any
 * candidate answers 200 with `finish_reason: "content_filter"`; a malformed tool call fails.
 */
export const convertResponse = (
  response: GeminiResponse,
  options: ResponseOptions,
): Effect.Effect<AdapterResult, GatewayError> => {
  const key = idKey(response.responseId)
  const candidates = response.candidates ?? []
  const blocked = response.promptFeedback?.blockReason

  const choices: Array<Choice> = []
  let toolCount = 0
  for (const [position, candidate] of candidates.entries()) {
    const converted = convertCandidate(candidate, position, key, toolCount, options)
    if ("invalid" in converted)
      return Effect.fail(invalidOutput(converted.invalid, candidate.finishMessage))
    toolCount += converted.choice.message.tool_calls?.length ?? 0
    choices.push(converted.choice)
  }

  if (choices.length === 0) {
    if (blocked === undefined) return Effect.fail(invalidOutput("no candidates"))
    choices.push({
      index: 0,
      message: { role: "assistant", content: null },
      finish_reason: "content_filter",
      logprobs: null,
    })
  }

  const usage = convertUsage(response.usageMetadata)
  const completion: ChatCompletion = {
    id: `chatcmpl-${key}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    choices,
    ...(usage === undefined ? {} : { usage: toWireUsage(usage) }),
  }
  return Effect.succeed({ response: completion, usage, warnings: options.warnings })
}

const convertCandidate = (
  candidate: GeminiCandidate,
  position: number,
  key: string,
  firstToolNumber: number,
  options: ResponseOptions,
): { readonly choice: Choice } | { readonly invalid: string } => {
  const texts: Array<string> = []
  const thoughts: Array<string> = []
  const toolCalls: Array<ToolCall> = []

  for (const part of candidate.content?.parts ?? []) {
    if (part.functionCall !== undefined) {
      const { name, args } = part.functionCall
      if (name === undefined) return { invalid: "a function call without a name" }
      toolCalls.push({
        id: makeToolCallId(key, firstToolNumber + toolCalls.length, part.thoughtSignature),
        type: "function",
        function: { name, arguments: JSON.stringify(args ?? {}) },
      })
    } else if (part.text !== undefined) {
      if (part.thought === true) thoughts.push(part.text)
      else texts.push(part.text)
    }
  }

  const mapped = mapFinishReason(candidate.finishReason, toolCalls.length > 0)
  if ("invalid" in mapped) return mapped

  const content = texts.join("")
  const reasoning = thoughts.join("")
  return {
    choice: {
      index: candidate.index ?? position,
      message: {
        role: "assistant",
        content: content === "" && (toolCalls.length > 0 || texts.length === 0) ? null : content,
        ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        ...(options.includeReasoning && reasoning !== "" ? { reasoning_content: reasoning } : {}),
      },
      finish_reason: mapped.finish,
      logprobs: null,
    },
  }
}
