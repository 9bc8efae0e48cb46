import { z } from "zod"
import type { Conversation } from "../plan-reply.ts"

const ContentPart = z.looseObject({ type: z.string(), text: z.string().optional() })

const Message = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  tool_calls: z
    .array(z.looseObject({ function: z.looseObject({ name: z.string(), arguments: z.string() }) }))
    .nullish(),
})

const Tool = z.looseObject({
  type: z.string(),
  function: z.looseObject({ name: z.string(), parameters: z.unknown().optional() }),
})

/** The parts of an OpenAI chat request the emulator reads; everything else is kept as sent. */
export const OpenAIChatRequest = z.looseObject({
  model: z.string(),
  messages: z.array(Message).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: z
    .union([z.string(), z.looseObject({ function: z.looseObject({ name: z.string() }) })])
    .nullish(),
  reasoning_effort: z.string().nullish(),
  response_format: z
    .looseObject({
      type: z.string(),
      json_schema: z.looseObject({ schema: z.unknown().optional() }).optional(),
    })
    .nullish(),
})

/** A parsed OpenAI chat request. */
export type OpenAIChatRequest = z.infer<typeof OpenAIChatRequest>

const messageTexts = (message: z.infer<typeof Message>): string[] => {
  const texts: string[] = []
  if (typeof message.content === "string") texts.push(message.content)
  else if (Array.isArray(message.content)) {
    for (const part of message.content) if (part.text !== undefined) texts.push(part.text)
  }
  for (const call of message.tool_calls ?? [])
    texts.push(call.function.name, call.function.arguments)
  return texts
}

const jsonOutput = (format: OpenAIChatRequest["response_format"]): Conversation["json"] => {
  if (format?.type === "json_schema") return { schema: format.json_schema?.schema }
  if (format?.type === "json_object") return { schema: undefined }
  return undefined
}

/** The provider-neutral view of an OpenAI chat request. */
export const openaiConversation = (request: OpenAIChatRequest): Conversation => {
  const last = request.messages[request.messages.length - 1]
  const choice = request.tool_choice
  return {
    texts: request.messages.flatMap(messageTexts),
    tools: (request.tools ?? []).map((tool) => ({
      name: tool.function.name,
      parameters: tool.function.parameters,
    })),
    toolChoice:
      choice === "none"
        ? "none"
        : typeof choice === "object" && choice !== null
          ? { name: choice.function.name }
          : "auto",
    lastTurn: last?.role === "user" ? "user" : last?.role === "tool" ? "tool-result" : "other",
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? undefined,
    json: jsonOutput(request.response_format),
  }
}

/** OpenAI reasoning models: they spend hidden reasoning tokens and reject `max_tokens`. */
export const isReasoningModel = (model: string): boolean => /^(o\d|gpt-5)/.test(model)

/** Hidden reasoning tokens for a reasoning model at the requested effort (medium by default). */
export const reasoningTokens = (model: string, effort: string | null | undefined): number => {
  if (!isReasoningModel(model)) return 0
  if (effort === "none" || effort === "minimal") return 0
  if (effort === "low") return 8
  if (effort === "high") return 32
  return 16
}
