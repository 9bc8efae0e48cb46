/** `usage.cost` as Tollgate adds it to the OpenAI usage object (USD, a JSON number). */
export const costOf = (usage: unknown): number | undefined => {
  if (typeof usage !== "object" || usage === null || !("cost" in usage)) return undefined
  return typeof usage.cost === "number" ? usage.cost : undefined
}

/** A reported USD cost in integer nano-USD, the ledger's unit. */
export const toNano = (usd: number): bigint => BigInt(Math.round(usd * 1e9))

/** Sum of bigints, exact. */
export const sumNano = (values: Iterable<bigint>): bigint => {
  let total = 0n
  for (const value of values) total += value
  return total
}

/** `"0.000123456"` (the usage report's exact decimal USD) in nano-USD. */
export const decimalToNano = (text: string): bigint => {
  const [whole = "0", fraction = ""] = text.split(".")
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9))
}
