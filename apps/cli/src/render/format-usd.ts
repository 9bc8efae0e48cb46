/**
 * A USD amount for people: at least 2 decimals, up to 9 (nano-USD), trailing zeros dropped, so
 * that a request costing $0.000152 shows as such instead of `$0.00`.
 */
export const formatUsd = (amount: number | string): string => {
  const value = typeof amount === "number" ? amount.toFixed(9) : amount
  const [whole = "0", fraction = ""] = value.split(".")
  const trimmed = fraction.replace(/0+$/, "").padEnd(2, "0")
  return `$${whole}.${trimmed}`
}

/** A duration in ms: `850 ms` below a second, `1.24 s` above. */
export const formatMs = (ms: number): string =>
  ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(2)} s`
