import { describe, expect, it } from "vitest"
import { defaultPriceBook, findPrice } from "./price-catalog.ts"

/** The models the default catalog serves. */
const catalogModels = [
  "gemini-3.1-flash",
  "gemini-2.5-flash",
  "gemini-2.5-pro",
  "deepseek-v3.2",
  "claude-sonnet-4.5",
  "gpt-4.1",
]

describe("default price book", () => {
  it("prices every model of the default catalog", () => {
    for (const model of catalogModels) expect(defaultPriceBook.has(model), model).toBe(true)
  })

  it("carries the output prices known from the issue", () => {
    expect(defaultPriceBook.get("gemini-2.5-flash")?.outputPerMillion).toBe(2_500_000)
    expect(defaultPriceBook.get("deepseek-v3.2")?.outputPerMillion).toBe(420_000)
    expect(defaultPriceBook.get("claude-sonnet-4.5")?.outputPerMillion).toBe(15_000_000)
    expect(defaultPriceBook.get("gpt-4.1")?.outputPerMillion).toBe(8_000_000)
  })

  it("prices Gemini 2.5 Pro higher above 200k prompt tokens", () => {
    const pro = defaultPriceBook.get("gemini-2.5-pro")

    expect(pro?.inputPerMillion).toBe(1_250_000)
    expect(pro?.tiers).toEqual([
      {
        abovePromptTokens: 200_000,
        inputPerMillion: 2_500_000,
        cachedInputPerMillion: 250_000,
        cacheWritePerMillion: 2_500_000,
        outputPerMillion: 15_000_000,
      },
    ])
  })

  it("prices Anthropic cache writes at 1.25x input and reads at 0.1x", () => {
    const sonnet = defaultPriceBook.get("claude-sonnet-4.5")

    expect(sonnet?.cacheWritePerMillion).toBe(3_750_000)
    expect(sonnet?.cachedInputPerMillion).toBe(300_000)
  })

  it("keeps every rate a non-negative integer, tiers ascending, with a source and a date", () => {
    for (const [model, price] of defaultPriceBook) {
      const all = [price, ...(price.tiers ?? [])]
      for (const rates of all) {
        for (const rate of [
          rates.inputPerMillion,
          rates.cachedInputPerMillion,
          rates.cacheWritePerMillion,
          rates.outputPerMillion,
        ]) {
          expect(Number.isSafeInteger(rate) && rate >= 0, model).toBe(true)
        }
      }
      const thresholds = (price.tiers ?? []).map((t) => t.abovePromptTokens)
      expect(thresholds, model).toEqual([...thresholds].sort((a, b) => a - b))
      expect(price.source, model).toMatch(/^https:\/\//)
      expect(price.checkedOn, model).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
  })

  it("finds a dated snapshot id under its alias", () => {
    expect(findPrice(defaultPriceBook, "gpt-4.1-2025-04-14")).toBe(defaultPriceBook.get("gpt-4.1"))
    expect(findPrice(defaultPriceBook, "gemini-2.5-pro-20990101")).toBe(
      defaultPriceBook.get("gemini-2.5-pro"),
    )
    expect(findPrice(defaultPriceBook, "no-such-model")).toBeUndefined()
  })

  it("marks the figures that could not be verified", () => {
    expect(defaultPriceBook.get("gemini-3.1-flash")?.source).toContain("NOT verified")
  })
})
