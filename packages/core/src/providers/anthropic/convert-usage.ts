import type { Usage } from "../../usage/usage.ts"
import type { AnthropicUsage } from "./anthropic-schemas.ts"

/** The counters Anthropic reported so far; a later report of a counter replaces the earlier. */
export interface UsageCounters {
  readonly input?: number
  readonly output?: number
  readonly cacheRead?: number
  readonly cacheWrite?: number
}

/** Fold one usage report into the counters: the last report of each counter wins, never a sum. */
export const mergeUsage = (
  counters: UsageCounters,
  report: AnthropicUsage | null | undefined,
): UsageCounters => ({
  input: report?.input_tokens ?? counters.input,
  output: report?.output_tokens ?? counters.output,
  cacheRead: report?.cache_read_input_tokens ?? counters.cacheRead,
  cacheWrite: report?.cache_creation_input_tokens ?? counters.cacheWrite,
})

/**
 * Normalise Anthropic's counters. Anthropic's `input_tokens` excludes cache reads and writes, so
 * the prompt is their sum; thinking is inside `output_tokens` and not reported apart, so
 * `reasoningTokens` is 0. Without input and output counts the usage is unknown.
 */
export const convertUsage = (counters: UsageCounters): Usage | undefined => {
  if (counters.input === undefined || counters.output === undefined) return undefined

  const cachedTokens = counters.cacheRead ?? 0
  const cacheWriteTokens = counters.cacheWrite ?? 0
  return {
    promptTokens: counters.input + cachedTokens + cacheWriteTokens,
    cachedTokens,
    cacheWriteTokens,
    completionTokens: counters.output,
    // Not reported apart by Anthropic: clients see reasoning_tokens 0; cost is right either way.
    reasoningTokens: 0,
  }
}
