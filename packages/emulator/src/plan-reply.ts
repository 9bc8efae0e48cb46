import { countTokens, generateWords, hashString, toPieces } from "./tokens.ts"
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
  /** Structured output asked for: JSON fitting the schema, or any JSON object without one. */
  json?: { schema: unknown } | undefined
}

/** A tool call the emulator decided to make. */
export type PlannedToolCall = {
  name: string
  arguments: Record<string, unknown>
  argumentsJson: string
  /** Stable per prompt, so retries of the same request see the same id. */
  idSuffix: string
}

/** The reply, before any wire format: answer pieces or a tool call, and its token counts. */
export type ReplyPlan = {
  seed: number
  promptTokens: number
  /** The answer as stream pieces, one token each; joined they are the whole text. */
  pieces: string[]
  toolCall: PlannedToolCall | undefined
  finish: "stop" | "length" | "tool"
  /** Tokens of the answer: its pieces, or the tool name plus its argument JSON. */
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
 * is `naturalTokens` (or the JSON's); a lower max tokens truncates it, finishing with `length`
 * (a tool call that does not fit is dropped, with the same finish).
 */
export const planReply = (conversation: Conversation, naturalTokens: number): ReplyPlan => {
  const prompt = conversation.texts.join("\n")
  const seed = hashString(prompt)
  const promptTokens = countTokens(prompt)
  const tool = pickTool(conversation)

  const limit = conversation.maxTokens
  if (tool !== undefined) {
    const args = argumentsForSchema(tool.parameters, seed)
    const argumentsJson = JSON.stringify(args)
    const callTokens = countTokens(tool.name) + countTokens(argumentsJson)
    // A call cut by max tokens is no call; the emulator reports no tokens it did not send:
    if (limit !== undefined && limit < callTokens) {
      return {
        seed,
        promptTokens,
        pieces: [],
        toolCall: undefined,
        finish: "length",
        outputTokens: 0,
      }
    }
    return {
      seed,
      promptTokens,
      pieces: [],
      toolCall: {
        name: tool.name,
        arguments: args,
        argumentsJson,
        idSuffix: (seed ^ hashString(tool.name)).toString(36).padStart(7, "0"),
      },
      finish: "tool",
      outputTokens: callTokens,
    }
  }

  const natural = naturalPieces(conversation, seed, naturalTokens)
  const length = limit !== undefined && limit < natural.length ? Math.max(0, limit) : natural.length
  const pieces = natural.slice(0, length)
  return {
    seed,
    promptTokens,
    pieces,
    toolCall: undefined,
    finish: length < natural.length ? "length" : "stop",
    outputTokens: pieces.length,
  }
}

// Structured output is JSON (its length set by the schema); free text has the natural length:
const naturalPieces = (conversation: Conversation, seed: number, naturalTokens: number) => {
  if (conversation.json === undefined) return toPieces(generateWords(seed, naturalTokens))
  const { schema } = conversation.json
  const value =
    schema === undefined
      ? { answer: generateWords(seed, naturalTokens).join(" ") }
      : argumentsForSchema(schema, seed)
  return JSON.stringify(value, null, 1).match(/\s*\S+/g) ?? []
}
