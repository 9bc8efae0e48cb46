import { Effect } from "effect"
import { z } from "zod"
import type { ChatMessage } from "../../openai/chat-schemas.ts"
import { badRequest } from "./bad-request.ts"
import { type AnthropicInputBlock, contentText, convertContent } from "./convert-content.ts"

/** A block of an Anthropic request message. */
export type AnthropicRequestBlock =
  | AnthropicInputBlock
  | {
      readonly type: "tool_use"
      readonly id: string
      readonly name: string
      readonly input: unknown
    }
  | {
      readonly type: "tool_result"
      readonly tool_use_id: string
      readonly content: ReadonlyArray<AnthropicInputBlock>
    }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature: string }
  | { readonly type: "redacted_thinking"; readonly data: string }

/** One Anthropic request message. */
export interface AnthropicRequestMessage {
  readonly role: "user" | "assistant"
  readonly content: ReadonlyArray<AnthropicRequestBlock>
}

/** The conversation split the way Anthropic wants it. */
export interface ConvertedMessages {
  readonly system?: string
  readonly messages: ReadonlyArray<AnthropicRequestMessage>
}

/**
 * The thinking blocks an earlier answer carried, echoed back by the client in OpenRouter's
 * `reasoning_details` shape (see `convert-response.ts`); only signed entries can be replayed.
 */
const ReasoningDetails = z.array(
  z.looseObject({
    type: z.string(),
    text: z.string().optional(),
    signature: z.string().optional(),
    data: z.string().optional(),
  }),
)

const thinkingBlocks = (
  message: Extract<ChatMessage, { role: "assistant" }>,
): Array<AnthropicRequestBlock> => {
  const parsed = ReasoningDetails.safeParse(message.reasoning_details)
  if (!parsed.success) return []

  const blocks: Array<AnthropicRequestBlock> = []
  for (const detail of parsed.data) {
    if (detail.type === "reasoning.text" && detail.signature !== undefined)
      blocks.push({
        type: "thinking",
        thinking: detail.text ?? message.reasoning_content ?? "",
        signature: detail.signature,
      })
    else if (detail.type === "reasoning.encrypted" && detail.data !== undefined)
      blocks.push({ type: "redacted_thinking", data: detail.data })
  }
  return blocks
}

const parseArguments = (text: string, param: string) =>
  Effect.try({
    try: (): unknown => (text.trim() === "" ? {} : JSON.parse(text)),
    catch: () => badRequest("Tool call arguments must be a JSON object", param),
  })

// Anthropic wants tool results first in a user turn, before any text that follows them.
const toolResultsFirst = (blocks: ReadonlyArray<AnthropicRequestBlock>) => [
  ...blocks.filter((block) => block.type === "tool_result"),
  ...blocks.filter((block) => block.type !== "tool_result"),
]

/**
 * Translate OpenAI messages to Anthropic's `system` and `messages`. Every system and developer
 * message goes into `system`; tool messages become `tool_result` blocks in a user turn; same-role
 * neighbours are merged, so consecutive tool results share one user message.
 */
export const convertMessages = Effect.fn("anthropic.convertMessages")(function* (
  messages: ReadonlyArray<ChatMessage>,
) {
  const system: Array<string> = []
  const turns: Array<{ role: "user" | "assistant"; content: Array<AnthropicRequestBlock> }> = []

  const append = (role: "user" | "assistant", blocks: ReadonlyArray<AnthropicRequestBlock>) => {
    if (blocks.length === 0) return
    const last = turns.at(-1)
    if (last !== undefined && last.role === role) last.content.push(...blocks)
    else turns.push({ role, content: [...blocks] })
  }

  for (const [index, message] of messages.entries()) {
    const param = `messages[${index}].content`
    switch (message.role) {
      case "system":
      case "developer": {
        const text = yield* contentText(message.content, param)
        if (text !== "") system.push(text)
        break
      }
      case "user":
        append("user", yield* convertContent(message.content, param, true))
        break
      case "assistant": {
        const blocks: Array<AnthropicRequestBlock> = thinkingBlocks(message)
        blocks.push(...(yield* convertContent(message.content, param, false)))
        for (const [callIndex, call] of (message.tool_calls ?? []).entries()) {
          const argsParam = `messages[${index}].tool_calls[${callIndex}].function.arguments`
          const input = yield* parseArguments(call.function.arguments, argsParam)
          blocks.push({ type: "tool_use", id: call.id, name: call.function.name, input })
        }
        append("assistant", blocks)
        break
      }
      case "tool":
        append("user", [
          {
            type: "tool_result",
            tool_use_id: message.tool_call_id,
            content: yield* convertContent(message.content, param, true),
          },
        ])
        break
    }
  }

  const converted = turns.map((turn) => ({
    role: turn.role,
    content: turn.role === "user" ? toolResultsFirst(turn.content) : turn.content,
  }))
  return system.length === 0
    ? { messages: converted }
    : { system: system.join("\n\n"), messages: converted }
})
