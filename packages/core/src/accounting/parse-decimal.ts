/**
 * Exact decimal parsing for money: a decimal written by a person (`"0.0375"`, `2.5`, `"7.3"`)
 * becomes an integer numerator over a power of ten, without passing through float arithmetic.
 */

/** A non-negative decimal as `units / 10^scale`. */
export interface Decimal {
  readonly units: bigint
  readonly scale: number
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i

/**
 * Parse a non-negative decimal string or number. Numbers are read through their shortest
 * round-trip text (`0.1` -> `"0.1"`), which is the decimal the operator wrote. Trailing zeros
 * after the point do not count against any precision limit. `undefined` when it is not one.
 */
export const parseDecimal = (value: string | number): Decimal | undefined => {
  if (typeof value === "number" && !Number.isFinite(value)) return undefined
  const match = DECIMAL.exec(String(value).trim())
  if (!match) return undefined

  // Digits without the point; the exponent moves the point:
  const whole = match[1] ?? "0"
  const fraction = (match[2] ?? "").replace(/0+$/, "")
  const exponent = Number(match[3] ?? "0")
  const digits = BigInt(whole + fraction)
  const scale = fraction.length - exponent

  return scale >= 0 ? { units: digits, scale } : { units: digits * 10n ** BigInt(-scale), scale: 0 }
}

/**
 * The decimal as an integer count of `10^-places` units, or `undefined` when it has more than
 * `places` decimals (never rounded silently).
 */
export const toScaledInteger = (value: Decimal, places: number): bigint | undefined =>
  value.scale > places ? undefined : value.units * 10n ** BigInt(places - value.scale)
