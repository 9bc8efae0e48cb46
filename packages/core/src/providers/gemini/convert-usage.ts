import type { Usage } from "../../usage/usage.ts"
import type { GeminiUsageMetadata } from "./gemini-schemas.ts"

/**
 * Gemini `usageMetadata` -> normalised usage. Thinking tokens are billed as output, so they
 * count in `completionTokens`; cached tokens are already inside `promptTokenCount`. Tokens of
 * tool-use prompts (built-in tools such as search) are input too. `undefined` when the metadata
 * carries no counts (stream events before the last often hold only `trafficType`); once counts
 * are present, a missing one is a zero Google left out, as proto3 JSON does.
 */
export const convertUsage = (metadata: GeminiUsageMetadata | undefined): Usage | undefined => {
  if (metadata?.promptTokenCount === undefined) return undefined
  const thoughts = metadata.thoughtsTokenCount ?? 0
  return {
    promptTokens: metadata.promptTokenCount + (metadata.toolUsePromptTokenCount ?? 0),
    cachedTokens: metadata.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    completionTokens: (metadata.candidatesTokenCount ?? 0) + thoughts,
    reasoningTokens: thoughts,
  }
}
