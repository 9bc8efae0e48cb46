import { usdString } from "@tollgate/core"

/** Nano-USD for people: `$10.00`, `$0.0015`, `$0.000000001` (exact, trailing zeros trimmed). */
export const formatUsd = (nanoUsd: bigint): string => {
  const exact = usdString(nanoUsd)
  const [whole = "0", fraction = ""] = exact.split(".")
  return `$${whole}.${fraction.replace(/0+$/, "").padEnd(2, "0")}`
}
