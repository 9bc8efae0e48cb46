import { costOf, findPrice, nanoToUsd, usdString } from "../accounting/index.ts"
import type { PriceBook } from "../accounting/types.ts"
import type { WireUsage } from "../openai/chat-schemas.ts"
import { toWireUsage, type Usage } from "../usage/usage.ts"

/** The exact cost of a usage at a model's list price; `undefined` when the model has no price. */
export const priceUsage = (
  usage: Usage,
  modelId: string,
  prices: PriceBook,
): bigint | undefined => {
  const price = findPrice(prices, modelId)
  return price === undefined ? undefined : costOf(usage, price).nanoUsd
}

/** `x-tollgate-cost-usd`: the exact decimal, never a float rendering. */
export const costHeader = (nanoUsd: bigint): string => usdString(nanoUsd)

/**
 * The usage object sent to the client: the provider's fields kept (details it adds), the counts
 * the gateway billed, and `cost` in USD.
 */
export const usageWithCost = (
  raw: WireUsage | null | undefined,
  usage: Usage,
  nanoUsd: bigint,
): WireUsage => {
  const normalised = toWireUsage(usage, nanoToUsd(nanoUsd))
  if (raw == null) return normalised
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
