import { z } from "zod"
import type { Conversation } from "../plan-reply.ts"

const Block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  content: z.unknown().optional(),
})

const Message = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(Block)]),
})

/** The parts of an Anthropic Messages request the emulator reads. */
export const AnthropicRequest = z.looseObject({
  model: z.string(),
  max_tokens: z.number().int().min(1),
  messages: z.array(Message).min(1),
  system: z.union([z.string(), z.array(Block)]).optional(),
  stream: z.boolean().optional(),
  tools: z
    .array(z.looseObject({ name: z.string(), input_schema: z.unknown().optional() }))
    .optional(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).optional(),
  thinking: z
    .looseObject({ type: z.string(), budget_tokens: z.number().int().optional() })
    .optional(),
})

/** A parsed Anthropic Messages request. */
export type AnthropicRequest = z.infer<typeof AnthropicRequest>

const resultText = (content: unknown): string[] => {
  if (typeof content === "string") return [content]
  if (!Array.isArray(content)) return []
  return content.flatMap((block: unknown) =>
    typeof block === "object" && block !== null && "text" in block && typeof block.text === "string"
      ? [block.text]
      : [],
  )
}

const blockTexts = (block: z.infer<typeof Block>): string[] => {
  if (block.type === "text" && block.text !== undefined) return [block.text]
  if (block.type === "tool_use") return [block.name ?? "", JSON.stringify(block.input ?? {})]
  if (block.type === "tool_result") return resultText(block.content)
  return []
}

const texts = (content: string | ReadonlyArray<z.infer<typeof Block>>): string[] =>
  typeof content === "string" ? [content] : content.flatMap(blockTexts)

/** The provider-neutral view of an Anthropic request; `thinking` tokens come off max tokens. */
export const anthropicConversation = (
  request: AnthropicRequest,
  thinking: number,
): Conversation => {
  const last = request.messages[request.messages.length - 1]
  const answersTool =
    last !== undefined &&
    typeof last.content !== "string" &&
    last.content.some((block) => block.type === "tool_result")
  const choice = request.tool_choice

  return {
    texts: [
      ...(request.system === undefined ? [] : texts(request.system)),
      ...request.messages.flatMap((m) => texts(m.content)),
    ],
    tools: (request.tools ?? []).map((tool) => ({
      name: tool.name,
      parameters: tool.input_schema,
    })),
    toolChoice:
      choice?.type === "none"
        ? "none"
        : choice?.type === "tool" && choice.name !== undefined
          ? { name: choice.name }
          : "auto",
    lastTurn: answersTool ? "tool-result" : last?.role === "user" ? "user" : "other",
    maxTokens: Math.max(0, request.max_tokens - thinking),
  }
}
