import type { WireUsage } from "../openai/chat-schemas.ts"

/**
 * Token usage normalised across providers. Every count the provider did not report stays
 * `undefined` at the adapter boundary (see `Usage | undefined`), never a made-up 0.
 */
export interface Usage {
  /** Every input token, cached reads and cache writes included. */
  readonly promptTokens: number
  /** Input tokens read from the provider's cache (a subset of `promptTokens`). */
  readonly cachedTokens: number
  /** Input tokens written to the provider's cache (a subset of `promptTokens`). */
  readonly cacheWriteTokens: number
  /** Every output token, reasoning included. */
  readonly completionTokens: number
  /** Reasoning/thinking tokens (a subset of `completionTokens`). */
  readonly reasoningTokens: number
}

/** Render a normalised usage in the OpenAI wire shape, with an optional cost in USD. */
export const toWireUsage = (usage: Usage, costUsd?: number): WireUsage => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
  prompt_tokens_details: {
    cached_tokens: usage.cachedTokens,
    ...(usage.cacheWriteTokens > 0 ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
  },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  ...(costUsd === undefined ? {} : { cost: costUsd }),
})

/** Read an OpenAI-shaped usage object back into the normalised form. */
export const fromWireUsage = (wire: WireUsage): Usage => ({
  promptTokens: wire.prompt_tokens,
  cachedTokens: wire.prompt_tokens_details?.cached_tokens ?? 0,
  cacheWriteTokens: wire.prompt_tokens_details?.cache_write_tokens ?? 0,
  completionTokens: wire.completion_tokens,
  reasoningTokens: wire.completion_tokens_details?.reasoning_tokens ?? 0,
})
