import type { ChatCompletion, ToolCall } from "../../openai/chat-schemas.ts"
import { toWireUsage, type Usage } from "../../usage/usage.ts"
import type { AnthropicMessage, ContentBlock } from "./anthropic-schemas.ts"
import { jsonToolName } from "./convert-request.ts"
import { convertUsage, mergeUsage } from "./convert-usage.ts"
import { mapStopReason } from "./map-stop-reason.ts"

/** What shapes the OpenAI answer besides Anthropic's own message. */
export interface ResponseOptions {
  /** The model id the client sees. */
  readonly model: string
  /** Epoch seconds. */
  readonly created: number
  readonly includeReasoning: boolean
  readonly jsonMode: boolean
}

/**
 * One entry of `reasoning_details` (OpenRouter's shape): a thinking block with the signature
 * Anthropic needs to accept it back in a later turn, or a redacted block's opaque data.
 */
export type ReasoningDetail =
  | {
      readonly type: "reasoning.text"
      readonly text?: string
      readonly signature: string
      readonly format: "anthropic-claude-v1"
      readonly index: number
    }
  | {
      readonly type: "reasoning.encrypted"
      readonly data: string
      readonly format: "anthropic-claude-v1"
      readonly index: number
    }

const field = (block: ContentBlock, name: string): unknown =>
  (block as Readonly<Record<string, unknown>>)[name]

const str = (value: unknown): string => (typeof value === "string" ? value : "")

/** A tool's input as OpenAI's JSON-text arguments. */
export const inputArguments = (input: unknown): string => JSON.stringify(input ?? {})

/**
 * Translate a whole Messages response. Under JSON mode the forced tool's input is the content.
 * Thinking comes back as `reasoning_content` plus signed `reasoning_details` only when asked for.
 */
export const convertResponse = (
  message: AnthropicMessage,
  options: ResponseOptions,
): { readonly response: ChatCompletion; readonly usage: Usage | undefined } => {
  const texts: Array<string> = []
  const thoughts: Array<string> = []
  const details: Array<ReasoningDetail> = []
  const toolCalls: Array<ToolCall> = []

  for (const [index, block] of message.content.entries()) {
    if (block.type === "text") texts.push(str(field(block, "text")))
    else if (block.type === "tool_use" && options.jsonMode && field(block, "name") === jsonToolName)
      texts.push(inputArguments(field(block, "input")))
    else if (block.type === "tool_use")
      toolCalls.push({
        id: str(field(block, "id")),
        type: "function",
        function: {
          name: str(field(block, "name")),
          arguments: inputArguments(field(block, "input")),
        },
      })
    else if (block.type === "thinking") {
      const text = str(field(block, "thinking"))
      thoughts.push(text)
      const signature = field(block, "signature")
      if (typeof signature === "string" && signature !== "")
        details.push({
          type: "reasoning.text",
          text,
          signature,
          format: "anthropic-claude-v1",
          index,
        })
    } else if (block.type === "redacted_thinking")
      details.push({
        type: "reasoning.encrypted",
        data: str(field(block, "data")),
        format: "anthropic-claude-v1",
        index,
      })
  }

  const usage = convertUsage(mergeUsage({}, message.usage))
  const content = texts.join("")
  const reasoning = options.includeReasoning && thoughts.length > 0
  const response: ChatCompletion = {
    id: message.id,
    object: "chat.completion",
    created: options.created,
    model: options.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: content === "" && toolCalls.length > 0 ? null : content,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(reasoning ? { reasoning_content: thoughts.join("") } : {}),
          ...(options.includeReasoning && details.length > 0 ? { reasoning_details: details } : {}),
        },
        finish_reason: mapStopReason(message.stop_reason, options.jsonMode),
        logprobs: null,
      },
    ],
    ...(usage === undefined ? {} : { usage: toWireUsage(usage) }),
  }
  return { response, usage }
}
