import { z } from "zod"
import type { WireUsage } from "../../openai/chat-schemas.ts"
import { toWireUsage, type Usage } from "../../usage/usage.ts"

/** Usage as OpenAI-compatible servers send it; DeepSeek reports cache hits in its own fields. */
const ProviderUsage = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  prompt_cache_hit_tokens: z.number().nullish(),
})

/** Normalised usage from an OpenAI-compatible `usage` object; undefined when there is none. */
export const convertUsage = (raw: unknown): Usage | undefined => {
  const parsed = ProviderUsage.safeParse(raw)
  if (!parsed.success) return undefined

  const usage = parsed.data

  // xAI counts reasoning outside `completion_tokens` (only the total includes it); both are
  // billed as output, so the output is whatever the total holds beyond the prompt:
  const total = usage.total_tokens ?? 0
  const completionTokens = Math.max(usage.completion_tokens, total - usage.prompt_tokens)

  return {
    promptTokens: usage.prompt_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    cacheWriteTokens: 0,
    completionTokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  }
}

/**
 * The provider's usage object with the counts replaced by the normalised ones (so `fromWireUsage`
 * reads what the gateway bills), keeping any extra fields the provider sent.
 */
export const normaliseWireUsage = (raw: WireUsage): WireUsage => {
  const usage = convertUsage(raw)
  if (usage === undefined) return raw
  const normalised = toWireUsage(usage)
  return {
    ...raw,
    ...normalised,
    prompt_tokens_details: { ...raw.prompt_tokens_details, ...normalised.prompt_tokens_details },
    completion_tokens_details: {
      ...raw.completion_tokens_details,
      ...normalised.completion_tokens_details,
    },
  }
}
