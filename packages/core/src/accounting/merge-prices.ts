import { z } from "zod"
import { parseDecimal, toScaledInteger } from "./parse-decimal.ts"
import type { ModelPrice, PriceBook, PriceRates } from "./types.ts"

/**
 * The `prices` section of `tollgate.config.json`: operator overrides of the default price book
 * and prices for models it does not know, in USD per million tokens.
 */

/**
 * USD per million tokens as a number or a decimal string (`2.5`, `"0.0375"`), converted exactly
 * to micro-USD. More than 6 decimals is an error: it cannot be stored without rounding.
 */
export const UsdPerMillion = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const decimal = parseDecimal(value)
  if (decimal === undefined) {
    ctx.addIssue({ code: "custom", message: `not a non-negative decimal: ${String(value)}` })
    return z.NEVER
  }
  const micro = toScaledInteger(decimal, 6)
  if (micro === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${String(value)} has more than 6 decimals (prices are kept in micro-USD)`,
    })
    return z.NEVER
  }
  if (micro > BigInt(Number.MAX_SAFE_INTEGER)) {
    ctx.addIssue({ code: "custom", message: `${String(value)} is too large` })
    return z.NEVER
  }
  return Number(micro)
})

const RatesConfig = {
  input: UsdPerMillion.optional(),
  cachedInput: UsdPerMillion.optional(),
  cacheWrite: UsdPerMillion.optional(),
  output: UsdPerMillion.optional(),
}

/** One model's prices as the operator writes them; omitted fields keep the default's. */
export const ModelPriceConfig = z.strictObject({
  ...RatesConfig,
  /** Replaces the default tiers entirely; `[]` removes them. */
  tiers: z
    .array(
      z.strictObject({
        abovePromptTokens: z.number().int().nonnegative(),
        ...RatesConfig,
        input: UsdPerMillion,
        output: UsdPerMillion,
      }),
    )
    .optional(),
  source: z.string().optional(),
  checkedOn: z.string().optional(),
})
export type ModelPriceConfig = z.infer<typeof ModelPriceConfig>

/** The whole `prices` section, keyed by the model id clients use. */
export const PricesConfig = z.record(z.string().min(1), ModelPriceConfig)
export type PricesConfig = z.infer<typeof PricesConfig>

/** Why a `prices` entry cannot be used. */
export class PriceConfigError extends Error {
  readonly _tag = "PriceConfigError"
}

const OPERATOR_SOURCE = "tollgate.config.json (operator price)"

/**
 * The default price book with the operator's entries merged over it. An entry for a known model
 * overrides only the fields it sets; a new model needs `input` and `output`, and its cached
 * reads and cache writes default to the input price (no discount assumed). Each entry applies
 * to exactly the id it is keyed by; `checkedOn` stays empty unless the operator dates it.
 */
export const mergePrices = (defaults: PriceBook, config: PricesConfig): PriceBook => {
  const merged = new Map(defaults)

  for (const [model, entry] of Object.entries(config)) {
    const base = defaults.get(model)

    // The base rates: the default's, or the operator's own for a new model:
    const input = entry.input ?? base?.inputPerMillion
    const output = entry.output ?? base?.outputPerMillion
    if (input === undefined || output === undefined) {
      throw new PriceConfigError(
        `prices.${model}: a model without a default price needs input and output`,
      )
    }
    const rates: PriceRates = {
      inputPerMillion: input,
      outputPerMillion: output,
      cachedInputPerMillion: entry.cachedInput ?? base?.cachedInputPerMillion ?? input,
      cacheWritePerMillion: entry.cacheWrite ?? base?.cacheWritePerMillion ?? input,
    }

    // Tiers are replaced as a whole, never merged one by one:
    const tiers =
      entry.tiers?.map((tier) => ({
        abovePromptTokens: tier.abovePromptTokens,
        inputPerMillion: tier.input,
        outputPerMillion: tier.output,
        cachedInputPerMillion: tier.cachedInput ?? tier.input,
        cacheWritePerMillion: tier.cacheWrite ?? tier.input,
      })) ?? base?.tiers
    const sortedTiers =
      tiers && [...tiers].sort((a, b) => a.abovePromptTokens - b.abovePromptTokens)

    const price: ModelPrice = {
      ...rates,
      ...(sortedTiers && sortedTiers.length > 0 ? { tiers: sortedTiers } : {}),
      source: entry.source ?? OPERATOR_SOURCE,
      checkedOn: entry.checkedOn ?? "",
    }
    merged.set(model, price)
  }

  return merged
}
