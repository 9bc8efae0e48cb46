import { readRecorded, readRecordedChunks } from "@tollgate/emulator/shared-fixtures"
import { z } from "zod"
import type { Usage } from "../usage/usage.ts"

/**
 * Test support: the usage of recorded provider payloads, normalised by the rules of issue 3.
 * The adapters own these mappings in production; the cost tests need them to read real numbers.
 */

const GeminiUsage = z.looseObject({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  cachedContentTokenCount: z.number().optional(),
})
const GeminiPayload = z.looseObject({ usageMetadata: GeminiUsage.optional() })

/** Gemini: prompt = promptTokenCount (cached inside it), completion = candidates + thoughts. */
export const fromGeminiUsage = (raw: unknown): Usage | undefined => {
  const usage = GeminiUsage.parse(raw)
  if (usage.promptTokenCount === undefined) return undefined
  const thoughts = usage.thoughtsTokenCount ?? 0
  return {
    promptTokens: usage.promptTokenCount,
    cachedTokens: usage.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    completionTokens: (usage.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
  }
}

const AnthropicUsage = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
})
type AnthropicUsage = z.infer<typeof AnthropicUsage>

/** Anthropic: prompt = input + cache read + cache write, kept apart for pricing. */
export const fromAnthropicUsage = (raw: unknown): Usage => {
  const usage = AnthropicUsage.parse(raw)
  const read = usage.cache_read_input_tokens ?? 0
  const write = usage.cache_creation_input_tokens ?? 0
  return {
    promptTokens: (usage.input_tokens ?? 0) + read + write,
    cachedTokens: read,
    cacheWriteTokens: write,
    completionTokens: usage.output_tokens ?? 0,
    reasoningTokens: 0,
  }
}

const OpenAiUsage = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number().optional(),
  total_tokens: z.number().optional(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().optional() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullish(),
})

/**
 * OpenAI-style usage as is. xAI is the exception: its `completion_tokens` leaves reasoning out
 * (`total = prompt + completion + reasoning`), and xAI bills reasoning as output, so it is added.
 */
export const fromOpenAiUsage = (raw: unknown): Usage => {
  const usage = OpenAiUsage.parse(raw)
  const completion = usage.completion_tokens ?? 0
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0
  const reasoningOutside =
    reasoning > 0 && usage.total_tokens === usage.prompt_tokens + completion + reasoning
  return {
    promptTokens: usage.prompt_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: 0,
    completionTokens: reasoningOutside ? completion + reasoning : completion,
    reasoningTokens: reasoning,
  }
}

/** Which usage rules apply: the provider folder of a recording, or the emulated API. */
export type UsageRules = "google" | "anthropic" | "openai-style"

const rulesOf = (path: string): UsageRules =>
  path.startsWith("google/")
    ? "google"
    : path.startsWith("anthropic/")
      ? "anthropic"
      : "openai-style"

const WithUsage = z.looseObject({ usage: z.unknown().optional() })
const AnthropicEvent = z.looseObject({
  type: z.string(),
  message: z.looseObject({ usage: AnthropicUsage.optional() }).optional(),
  usage: AnthropicUsage.optional(),
})

/** The normalised usage of a whole (non-streamed) response body. */
export const usageOfBody = (rules: UsageRules, body: unknown): Usage | undefined => {
  switch (rules) {
    case "google":
      return fromGeminiUsage(GeminiPayload.parse(body).usageMetadata ?? {})
    case "anthropic":
      return fromAnthropicUsage(WithUsage.parse(body).usage)
    case "openai-style": {
      const usage = WithUsage.parse(body).usage
      return usage === undefined || usage === null ? undefined : fromOpenAiUsage(usage)
    }
  }
}

/**
 * The normalised usage of a stream's payloads: Gemini's last `usageMetadata` with counts and
 * the OpenAI-style last usage chunk (both cumulative, never summed); Anthropic's
 * `message_start` usage updated by the fields `message_delta` carries.
 */
export const usageOfStream = (
  rules: UsageRules,
  chunks: ReadonlyArray<unknown>,
): Usage | undefined => {
  switch (rules) {
    case "google": {
      let last: Usage | undefined
      for (const chunk of chunks) {
        last = fromGeminiUsage(GeminiPayload.parse(chunk).usageMetadata ?? {}) ?? last
      }
      return last
    }
    case "anthropic": {
      let usage: AnthropicUsage = {}
      for (const chunk of chunks) {
        const event = AnthropicEvent.parse(chunk)
        const update = event.type === "message_start" ? event.message?.usage : event.usage
        if (update) usage = { ...usage, ...definedFields(update) }
      }
      return fromAnthropicUsage(usage)
    }
    case "openai-style": {
      let last: Usage | undefined
      for (const chunk of chunks) {
        const usage = WithUsage.parse(chunk).usage
        if (usage !== undefined && usage !== null) last = fromOpenAiUsage(usage)
      }
      return last
    }
  }
}

/** The normalised usage of a whole recorded response. */
export const recordedUsage = (path: string): Usage | undefined =>
  usageOfBody(rulesOf(path), JSON.parse(readRecorded(path)))

/** The normalised usage of a recorded stream. */
export const recordedStreamUsage = (path: string): Usage | undefined =>
  usageOfStream(rulesOf(path), readRecordedChunks(path))

const definedFields = (usage: AnthropicUsage): AnthropicUsage =>
  Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined))

/** Every usage object a recorded stream carries, in order (to show what summing would do). */
export const everyStreamUsage = (path: string): ReadonlyArray<Usage> =>
  readRecordedChunks(path).flatMap((chunk) => {
    const usage = fromGeminiUsage(GeminiPayload.parse(chunk).usageMetadata ?? {})
    return usage ? [usage] : []
  })
