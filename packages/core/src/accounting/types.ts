/**
 * Prices are integers in micro-USD per million tokens, so that tokens x price is an exact integer
 * in pico-USD: $0.0375/M (a cached Gemini Flash token) is 37_500.
 */
export interface PriceRates {
  readonly inputPerMillion: number
  readonly cachedInputPerMillion: number
  readonly cacheWritePerMillion: number
  readonly outputPerMillion: number
}

/** A model's list prices, with the tiers a provider charges for long prompts. */
export interface ModelPrice extends PriceRates {
  /** Tiers by prompt size, ascending; the highest one the prompt exceeds applies. */
  readonly tiers?: ReadonlyArray<PriceRates & { readonly abovePromptTokens: number }>
  /** Where the figures come from, and when they were last checked (YYYY-MM-DD). */
  readonly source: string
  readonly checkedOn: string
}

/** Prices by model id (the id clients use), operator overrides already applied. */
export type PriceBook = ReadonlyMap<string, ModelPrice>
