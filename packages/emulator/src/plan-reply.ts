import { countTokens, generateWords, hashString } from "./tokens.ts"
import { argumentsForSchema } from "./tool-arguments.ts"

/** A tool the request offers, whatever its wire format. */
export type ToolSpec = { name: string; parameters: unknown }

/** What the emulator needs from a chat request, read from any of the three wire formats. */
export type Conversation = {
  /** Every piece of message text (system, user, assistant, tool results), in order. */
  texts: string[]
  tools: ToolSpec[]
  /** `none` never calls a tool; a name forces that tool. */
  toolChoice: "auto" | "none" | { name: string }
  /** Who spoke last: a tool result is answered with text, a user turn may get a tool call. */
  lastTurn: "user" | "tool-result" | "other"
  maxTokens: number | undefined
}

/** A tool call the emulator decided to make. */
export type PlannedToolCall = {
  name: string
  arguments: Record<string, unknown>
  argumentsJson: string
  /** Stable per prompt, so retries of the same request see the same id. */
  idSuffix: string
}

/** The reply, before any wire format: answer words or a tool call, and its token counts. */
export type ReplyPlan = {
  seed: number
  promptTokens: number
  words: string[]
  toolCall: PlannedToolCall | undefined
  finish: "stop" | "length" | "tool"
  /** Tokens of the answer: its words, or the tool name plus its argument JSON. */
  outputTokens: number
}

const pickTool = (conversation: Conversation): ToolSpec | undefined => {
  const { toolChoice, tools, lastTurn } = conversation
  if (tools.length === 0 || toolChoice === "none" || lastTurn !== "user") return undefined
  if (toolChoice === "auto") return tools[0]
  return tools.find((tool) => tool.name === toolChoice.name) ?? tools[0]
}

/**
 * Plan a deterministic reply: the same prompt always gives the same words. Its natural length
 * is `naturalTokens`; a lower max tokens truncates it and the finish reason says `length`.
 */
export const planReply = (conversation: Conversation, naturalTokens: number): ReplyPlan => {
  const prompt = conversation.texts.join("\n")
  const seed = hashString(prompt)
  const promptTokens = countTokens(prompt)
  const tool = pickTool(conversation)

  if (tool !== undefined) {
    const args = argumentsForSchema(tool.parameters, seed)
    const argumentsJson = JSON.stringify(args)
    return {
      seed,
      promptTokens,
      words: [],
      toolCall: {
        name: tool.name,
        arguments: args,
        argumentsJson,
        idSuffix: (seed ^ hashString(tool.name)).toString(36).padStart(7, "0"),
      },
      finish: "tool",
      outputTokens: countTokens(tool.name) + countTokens(argumentsJson),
    }
  }

  const limit = conversation.maxTokens
  const length = limit !== undefined && limit < naturalTokens ? Math.max(0, limit) : naturalTokens
  const words = generateWords(seed, length)
  return {
    seed,
    promptTokens,
    words,
    toolCall: undefined,
    finish: length < naturalTokens ? "length" : "stop",
    outputTokens: words.length,
  }
}
