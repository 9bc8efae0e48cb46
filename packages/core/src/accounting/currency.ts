import { z } from "zod"
import { divRoundHalfUp } from "./cost.ts"
import { type Decimal, parseDecimal } from "./parse-decimal.ts"

/**
 * Billing currency. Storage is always USD at list price; an operator may bill in another
 * currency at a rate of their own per USD of list price. A reseller charging CNY 1 for every
 * USD 1 of usage sets `"1"`, not the market rate (~7.3): the rate is a price, not an exchange.
 */

/** A currency the operator bills in, with its rate per USD of list price. */
export interface BillingCurrency {
  /** ISO code, shown in reports, e.g. `CNY`. */
  readonly code: string
  /** Shown before amounts instead of the code, e.g. `¥`. */
  readonly symbol?: string
  /** Billed units per USD of list price, exact. */
  readonly rate: Decimal
  /** Decimal places shown by `formatBilled` unless a call asks for others. */
  readonly displayDecimals: number
}

/** An amount in the billing currency, in billionths of its unit (like nano-USD). */
export interface BilledAmount {
  readonly code: string
  readonly nanoUnits: bigint
}

/** The `currency` section of the config: `{ "code": "CNY", "ratePerUsd": "1", "symbol": "¥" }`. */
export const BillingCurrencyConfig = z
  .strictObject({
    code: z.string().regex(/^[A-Z]{3}$/, "a three-letter ISO code such as CNY"),
    ratePerUsd: z.union([z.string(), z.number()]),
    symbol: z.string().min(1).optional(),
    displayDecimals: z.number().int().min(0).max(9).optional(),
  })
  .transform((config, ctx) => {
    const rate = parseDecimal(config.ratePerUsd)
    if (rate === undefined || rate.units === 0n) {
      ctx.addIssue({ code: "custom", message: "ratePerUsd must be a positive decimal" })
      return z.NEVER
    }
    const currency: BillingCurrency = {
      code: config.code,
      ...(config.symbol === undefined ? {} : { symbol: config.symbol }),
      rate,
      displayDecimals: config.displayDecimals ?? 2,
    }
    return currency
  })

/** US dollars at list price: the identity billing currency. */
export const USD: BillingCurrency = {
  code: "USD",
  symbol: "$",
  rate: { units: 1n, scale: 0 },
  displayDecimals: 2,
}

/**
 * Convert a nano-USD amount to the billing currency, exactly (the rate is a rational number),
 * rounded half-up once to a billionth of the unit. Convert totals, not each row then summed,
 * when the report must match the sum of USD to the unit.
 */
export const toBilled = (nanoUsd: bigint, currency: BillingCurrency): BilledAmount => {
  const negative = nanoUsd < 0n
  const abs = negative ? -nanoUsd : nanoUsd
  const nanoUnits = divRoundHalfUp(abs * currency.rate.units, 10n ** BigInt(currency.rate.scale))
  return { code: currency.code, nanoUnits: negative ? -nanoUnits : nanoUnits }
}

/** A billionths amount as a decimal string with `decimals` places, rounded half-up. */
export const formatNanoAmount = (nano: bigint, decimals: number): string => {
  const sign = nano < 0n ? "-" : ""
  const abs = nano < 0n ? -nano : nano
  const scaled = divRoundHalfUp(abs, 10n ** BigInt(9 - decimals))
  if (decimals === 0) return `${sign}${scaled}`
  const unit = 10n ** BigInt(decimals)
  return `${sign}${scaled / unit}.${(scaled % unit).toString().padStart(decimals, "0")}`
}

/** A billed amount for display: `¥0.10`, or `CNY 0.10` when the currency has no symbol. */
export const formatBilled = (
  amount: BilledAmount,
  currency: BillingCurrency,
  decimals: number = currency.displayDecimals,
): string => {
  const number = formatNanoAmount(amount.nanoUnits, decimals)
  return currency.symbol === undefined
    ? `${currency.code} ${number}`
    : `${currency.symbol}${number}`
}
