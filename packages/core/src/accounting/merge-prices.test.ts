import { describe, expect, it } from "vitest"
import { mergePrices, PriceConfigError, PricesConfig, UsdPerMillion } from "./merge-prices.ts"
import { defaultPriceBook } from "./price-catalog.ts"

describe("UsdPerMillion", () => {
  it("converts numbers and decimal strings exactly to micro-USD", () => {
    expect(UsdPerMillion.parse(2.5)).toBe(2_500_000)
    expect(UsdPerMillion.parse("0.0375")).toBe(37_500)
    expect(UsdPerMillion.parse(0.1)).toBe(100_000)
    expect(UsdPerMillion.parse("0.000001")).toBe(1)
    expect(UsdPerMillion.parse("15")).toBe(15_000_000)
    expect(UsdPerMillion.parse(1e-6)).toBe(1)
    expect(UsdPerMillion.parse("0.2500000")).toBe(250_000)
  })

  it("rejects more than 6 decimals instead of rounding", () => {
    const result = UsdPerMillion.safeParse("0.0000005")

    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toContain("more than 6 decimals")
    expect(UsdPerMillion.safeParse(0.1234567).success).toBe(false)
    expect(UsdPerMillion.safeParse(1e-7).success).toBe(false)
  })

  it("rejects negative, non-numeric and non-finite values", () => {
    for (const bad of ["-1", -1, "1,5", "abc", "", Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(UsdPerMillion.safeParse(bad).success, String(bad)).toBe(false)
    }
  })
})

describe("mergePrices", () => {
  it("overrides only the fields an entry sets on a known model", () => {
    const config = PricesConfig.parse({ "gpt-4.1": { output: "7.5", source: "contract" } })
    const book = mergePrices(defaultPriceBook, config)

    expect(book.get("gpt-4.1")).toMatchObject({
      inputPerMillion: 2_000_000,
      cachedInputPerMillion: 500_000,
      outputPerMillion: 7_500_000,
      source: "contract",
    })
    expect(defaultPriceBook.get("gpt-4.1")?.outputPerMillion).toBe(8_000_000)
  })

  it("keeps default tiers unless the entry replaces them", () => {
    const book = mergePrices(
      defaultPriceBook,
      PricesConfig.parse({ "gemini-2.5-pro": { input: 1 } }),
    )

    expect(book.get("gemini-2.5-pro")?.inputPerMillion).toBe(1_000_000)
    expect(book.get("gemini-2.5-pro")?.tiers?.[0]?.inputPerMillion).toBe(2_500_000)

    const untiered = mergePrices(
      defaultPriceBook,
      PricesConfig.parse({ "gemini-2.5-pro": { tiers: [] } }),
    )
    expect(untiered.get("gemini-2.5-pro")?.tiers).toBeUndefined()
  })

  it("adds a new model, cache rates defaulting to the input price, tiers sorted", () => {
    const config = PricesConfig.parse({
      "local-llama": {
        input: "0.1",
        output: 0.2,
        tiers: [
          { abovePromptTokens: 64_000, input: 0.4, output: 0.8 },
          { abovePromptTokens: 32_000, input: 0.2, output: 0.4, cachedInput: 0.05 },
        ],
      },
    })
    const price = mergePrices(defaultPriceBook, config).get("local-llama")

    expect(price).toMatchObject({
      inputPerMillion: 100_000,
      cachedInputPerMillion: 100_000,
      cacheWritePerMillion: 100_000,
      outputPerMillion: 200_000,
      source: "tollgate.config.json (operator price)",
    })
    expect(price?.tiers?.map((t) => [t.abovePromptTokens, t.cachedInputPerMillion])).toEqual([
      [32_000, 50_000],
      [64_000, 400_000],
    ])
  })

  it("refuses a new model without input and output prices", () => {
    const config = PricesConfig.parse({ "mystery-model": { input: 1 } })

    expect(() => mergePrices(defaultPriceBook, config)).toThrow(PriceConfigError)
  })

  it("refuses unknown fields and over-precise prices in the config section", () => {
    expect(PricesConfig.safeParse({ "gpt-4.1": { inptu: 1 } }).success).toBe(false)
    expect(PricesConfig.safeParse({ "gpt-4.1": { output: "8.0000001" } }).success).toBe(false)
  })
})
