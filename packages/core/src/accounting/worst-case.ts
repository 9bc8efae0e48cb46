import type { ChatMessage, ChatRequest, ContentPart } from "../openai/chat-schemas.ts"
import { divCeil, ratesFor } from "./cost.ts"
import { countTextTokens } from "./count-tokens.ts"
import type { ModelPrice } from "./types.ts"

/**
 * Worst-case cost of a request before it is sent, for budget reservation: the prompt counted
 * with a tokenizer, plus every output token the request allows, at the dearest applicable rates.
 */

/** Tokens a chat message costs beyond its text (role, separators), as OpenAI documents ~3-4. */
export const MESSAGE_OVERHEAD_TOKENS = 4

/** Tokens that prime the assistant's reply, once per request. */
export const REQUEST_OVERHEAD_TOKENS = 3

/**
 * Flat estimate per image. The providers' own counts stay below it for the sizes they accept
 * unscaled: OpenAI high detail 765-1,105, Anthropic ~1,600 at its 1.15 MP cap, Gemini 258/tile.
 */
export const IMAGE_TOKENS = 1_600

/**
 * Default headroom on the tokenizer's prompt count, because o200k is not every provider's
 * tokenizer (Claude's counts run higher for the same text).
 */
export const DEFAULT_PROMPT_MARGIN_PERCENT = 20

/** The parts of a chat request the worst case depends on. */
export type WorstCaseRequest = Pick<
  ChatRequest,
  "messages" | "tools" | "max_tokens" | "max_completion_tokens" | "n" | "response_format"
>

/** A request's worst case: token counts for rate limits and the cost to reserve. */
export interface WorstCase {
  /** Prompt tokens as the tokenizer counted them (with per-message overheads and images). */
  readonly promptTokens: number
  /** Prompt tokens with the margin, as reserved and used to pick the tier. */
  readonly reservedPromptTokens: number
  /** Output tokens the request allows: effective `max_tokens` times `n`. */
  readonly outputTokens: number
  /** `promptTokens + outputTokens`, for tokens-per-minute limits. */
  readonly tokens: number
  /** The cost to reserve, in nano-USD, rounded up. */
  readonly nanoUsd: bigint
}

const partTokens = (part: ContentPart): number => {
  if (part.type === "text" && "text" in part && typeof part.text === "string") {
    return countTextTokens(part.text)
  }
  if (part.type === "image_url") return IMAGE_TOKENS

  // Audio, files and kinds we do not model: their serialised form, which errs high:
  return countTextTokens(JSON.stringify(part))
}

const contentTokens = (content: ChatMessage["content"]): number => {
  if (content === undefined || content === null) return 0
  if (typeof content === "string") return countTextTokens(content)
  return content.reduce((sum, part) => sum + partTokens(part), 0)
}

const messageTokens = (message: ChatMessage): number => {
  let tokens = MESSAGE_OVERHEAD_TOKENS + contentTokens(message.content)
  if (typeof message.name === "string") tokens += countTextTokens(message.name)
  if (message.role === "assistant") {
    for (const call of message.tool_calls ?? []) {
      tokens += countTextTokens(call.function.name) + countTextTokens(call.function.arguments)
    }
    if (message.reasoning_content) tokens += countTextTokens(message.reasoning_content)
  }
  return tokens
}

/** Prompt tokens of a request: messages, tool definitions and a JSON schema, with overheads. */
export const estimatePromptTokens = (request: WorstCaseRequest): number => {
  let tokens = REQUEST_OVERHEAD_TOKENS
  for (const message of request.messages) tokens += messageTokens(message)

  // Providers put tool definitions and response schemas into the prompt:
  if (request.tools && request.tools.length > 0) {
    tokens += countTextTokens(JSON.stringify(request.tools))
  }
  const format = request.response_format
  if (format && format.type === "json_schema" && "json_schema" in format) {
    tokens += countTextTokens(JSON.stringify(format.json_schema))
  }
  return tokens
}

/**
 * Output tokens a request allows: its `max_completion_tokens` or `max_tokens`, else the model's
 * output limit, never above that limit, times the number of choices.
 */
export const allowedOutputTokens = (request: WorstCaseRequest, outputLimit: number): number => {
  const asked = request.max_completion_tokens ?? request.max_tokens ?? outputLimit
  return Math.min(asked, outputLimit) * (request.n ?? 1)
}

/**
 * The worst case of a request against a model's price and output limit. Every prompt token is
 * priced at the dearest input rate (a cache write can cost more than plain input), at the tier
 * the prompt with its margin reaches.
 */
export const worstCaseOf = (
  request: WorstCaseRequest,
  price: ModelPrice,
  outputLimit: number,
  options?: {
    readonly promptMarginPercent?: number
    /** The request's prompt count when already known, to tokenize a long prompt only once. */
    readonly promptTokens?: number
  },
): WorstCase => {
  const promptTokens = options?.promptTokens ?? estimatePromptTokens(request)
  const margin = options?.promptMarginPercent ?? DEFAULT_PROMPT_MARGIN_PERCENT
  const reservedPromptTokens = Math.ceil((promptTokens * (100 + margin)) / 100)
  const outputTokens = allowedOutputTokens(request, outputLimit)

  const rates = ratesFor(price, reservedPromptTokens)
  const inputRate = Math.max(
    rates.inputPerMillion,
    rates.cachedInputPerMillion,
    rates.cacheWritePerMillion,
  )
  const picoUsd =
    BigInt(reservedPromptTokens) * BigInt(inputRate) +
    BigInt(outputTokens) * BigInt(rates.outputPerMillion)

  return {
    promptTokens,
    reservedPromptTokens,
    outputTokens,
    tokens: promptTokens + outputTokens,
    nanoUsd: divCeil(picoUsd, 1000n),
  }
}

/** The worst-case cost of a request in nano-USD, rounded up; see `worstCaseOf`. */
export const worstCaseNanoUsd = (
  request: WorstCaseRequest,
  price: ModelPrice,
  outputLimit: number,
  options?: { readonly promptMarginPercent?: number },
): bigint => worstCaseOf(request, price, outputLimit, options).nanoUsd

/**
 * Output tokens of text a stream produced before it was cut off and the provider never
 * reported usage: content, reasoning and tool-call arguments, counted by the tokenizer.
 * Shortcoming: thinking a provider never streams (Gemini without thoughts) is not counted.
 */
export const estimateOutputTokens = (text: string | ReadonlyArray<string>): number =>
  typeof text === "string"
    ? countTextTokens(text)
    : text.reduce((sum, piece) => sum + countTextTokens(piece), 0)
