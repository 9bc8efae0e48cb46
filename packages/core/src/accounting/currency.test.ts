import { describe, expect, it } from "vitest"
import { BillingCurrencyConfig, formatBilled, formatNanoAmount, toBilled, USD } from "./currency.ts"

describe("billing currency", () => {
  const resellerCny = BillingCurrencyConfig.parse({ code: "CNY", ratePerUsd: "1", symbol: "¥" })
  const marketCny = BillingCurrencyConfig.parse({ code: "CNY", ratePerUsd: "7.3" })

  it("bills CNY 1 per USD 1 of list price for the reseller, not the market rate", () => {
    const billed = toBilled(103_161_250n, resellerCny)

    expect(billed).toEqual({ code: "CNY", nanoUnits: 103_161_250n })
    expect(formatBilled(billed, resellerCny)).toBe("¥0.10")
    expect(formatBilled(billed, resellerCny, 6)).toBe("¥0.103161")
  })

  it("converts exactly at a decimal rate, rounding half-up once", () => {
    // 103,161,250 x 73 / 10 = 753,077,125 (exact)
    expect(toBilled(103_161_250n, marketCny).nanoUnits).toBe(753_077_125n)
    // 1 x 73 / 10 = 7.3 -> 7; 5 x 73 / 10 = 36.5 -> 37
    expect(toBilled(1n, marketCny).nanoUnits).toBe(7n)
    expect(toBilled(5n, marketCny).nanoUnits).toBe(37n)
    expect(formatBilled(toBilled(103_161_250n, marketCny), marketCny)).toBe("CNY 0.75")
  })

  it("keeps a fine rate exact where a float would drift", () => {
    const eur = BillingCurrencyConfig.parse({ code: "EUR", ratePerUsd: "0.923456789" })

    // 1 USD = 1e9 nano x 923,456,789 / 1e9 = 923,456,789 nano-EUR exactly
    expect(toBilled(1_000_000_000n, eur).nanoUnits).toBe(923_456_789n)
    // $1M: 1e15 x 923,456,789 / 1e9 = 923,456,789,000,000
    expect(toBilled(1_000_000_000_000_000n, eur).nanoUnits).toBe(923_456_789_000_000n)
  })

  it("leaves USD unchanged and formats it with a symbol", () => {
    expect(toBilled(1_500_000_000n, USD).nanoUnits).toBe(1_500_000_000n)
    expect(formatBilled(toBilled(1_505_000_000n, USD), USD)).toBe("$1.51")
  })

  it("rejects a zero, negative or malformed rate and a non-ISO code", () => {
    expect(BillingCurrencyConfig.safeParse({ code: "CNY", ratePerUsd: "0" }).success).toBe(false)
    expect(BillingCurrencyConfig.safeParse({ code: "CNY", ratePerUsd: "-1" }).success).toBe(false)
    expect(BillingCurrencyConfig.safeParse({ code: "CNY", ratePerUsd: "7,3" }).success).toBe(false)
    expect(BillingCurrencyConfig.safeParse({ code: "yuan", ratePerUsd: "1" }).success).toBe(false)
  })

  it("formats amounts with the asked places, rounding half-up", () => {
    expect(formatNanoAmount(5_000_000n, 2)).toBe("0.01")
    expect(formatNanoAmount(4_999_999n, 2)).toBe("0.00")
    expect(formatNanoAmount(1_234_567_890n, 0)).toBe("1")
    expect(formatNanoAmount(1_234_567_890n, 9)).toBe("1.234567890")
    expect(formatNanoAmount(-1_500_000_000n, 2)).toBe("-1.50")
  })
})
