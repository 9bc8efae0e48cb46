import type { Usage } from "../usage/usage.ts"
import type { ModelPrice, PriceRates } from "./types.ts"

/**
 * Exact cost of one request. A price of p micro-USD per million tokens is p pico-USD per token,
 * so every product below is an exact integer; the total is rounded once, half-up, to nano-USD.
 */

/** The cost of one request, in the units the ledger stores. */
export interface Cost {
  /** The cost in nano-USD, rounded once (half-up) from the exact pico-USD total. */
  readonly nanoUsd: bigint
  /** The exact cost before rounding. */
  readonly picoUsd: bigint
  /** Exact pico-USD per kind of token, for reports and tests. */
  readonly breakdownPicoUsd: {
    readonly input: bigint
    readonly cachedInput: bigint
    readonly cacheWrite: bigint
    readonly output: bigint
  }
  /** The tier's threshold when a long-prompt tier applied, else `undefined` (base rates). */
  readonly tierAbovePromptTokens: number | undefined
}

/** The rates for a prompt of this size: the highest tier whose threshold it exceeds. */
export const ratesFor = (
  price: ModelPrice,
  promptTokens: number,
): PriceRates & {
  readonly abovePromptTokens?: number
} => {
  let picked: PriceRates & { readonly abovePromptTokens?: number } = price
  for (const tier of price.tiers ?? []) {
    if (promptTokens > tier.abovePromptTokens) picked = tier
  }
  return picked
}

/** Divide, rounding half-up (non-negative operands). */
export const divRoundHalfUp = (n: bigint, d: bigint): bigint => (n + d / 2n) / d

/** Divide, rounding up (non-negative operands). */
export const divCeil = (n: bigint, d: bigint): bigint => (n + d - 1n) / d

/**
 * Cost of a request from its normalised usage. Cached reads and cache writes are parts of
 * `promptTokens` and are charged once, at their own rates; reasoning is part of the output.
 */
export const costOf = (usage: Usage, price: ModelPrice): Cost => {
  const rates = ratesFor(price, usage.promptTokens)

  // Plain input is what remains of the prompt once cache reads and writes are taken out; a
  // provider reporting more cached than prompt tokens is charged for what it reported, never < 0:
  const uncached = Math.max(0, usage.promptTokens - usage.cachedTokens - usage.cacheWriteTokens)

  const input = BigInt(uncached) * BigInt(rates.inputPerMillion)
  const cachedInput = BigInt(usage.cachedTokens) * BigInt(rates.cachedInputPerMillion)
  const cacheWrite = BigInt(usage.cacheWriteTokens) * BigInt(rates.cacheWritePerMillion)
  const output = BigInt(usage.completionTokens) * BigInt(rates.outputPerMillion)
  const picoUsd = input + cachedInput + cacheWrite + output

  return {
    nanoUsd: divRoundHalfUp(picoUsd, 1000n),
    picoUsd,
    breakdownPicoUsd: { input, cachedInput, cacheWrite, output },
    tierAbovePromptTokens: rates.abovePromptTokens,
  }
}

/** Nano-USD as a JSON number of USD for `usage.cost`; exact for any realistic amount. */
export const nanoToUsd = (nanoUsd: bigint): number => Number(nanoUsd) / 1e9

/** Nano-USD as a decimal string with 9 places, e.g. `0.103161250`, for headers. */
export const usdString = (nanoUsd: bigint): string => {
  const sign = nanoUsd < 0n ? "-" : ""
  const abs = nanoUsd < 0n ? -nanoUsd : nanoUsd
  return `${sign}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, "0")}`
}
