import { describe, expect, it } from "vitest"
import type { Usage } from "../usage/usage.ts"
import { costOf, nanoToUsd, ratesFor, usdString } from "./cost.ts"
import { defaultPriceBook, findPrice } from "./price-catalog.ts"
import type { ModelPrice } from "./types.ts"

const usage = (fields: Partial<Usage>): Usage => ({
  promptTokens: 0,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  ...fields,
})

const price = (model: string): ModelPrice => {
  const found = findPrice(defaultPriceBook, model)
  if (!found) throw new Error(`no price for ${model}`)
  return found
}

describe("costOf", () => {
  it("keeps Gemini 2.5 Pro on base rates at exactly 200,000 prompt tokens", () => {
    const cost = costOf(
      usage({ promptTokens: 200_000, completionTokens: 1_000 }),
      price("gemini-2.5-pro"),
    )

    // 200,000 x 1,250,000 + 1,000 x 10,000,000 = 250,000,000,000 + 10,000,000,000 pico
    expect(cost.tierAbovePromptTokens).toBeUndefined()
    expect(cost.nanoUsd).toBe(260_000_000n)
  })

  it("moves every token of the request to the long tier at 200,001 prompt tokens", () => {
    const cost = costOf(
      usage({ promptTokens: 200_001, completionTokens: 1_000 }),
      price("gemini-2.5-pro"),
    )

    // 200,001 x 2,500,000 + 1,000 x 15,000,000 = 500,002,500,000 + 15,000,000,000 pico
    expect(cost.tierAbovePromptTokens).toBe(200_000)
    expect(cost.nanoUsd).toBe(515_002_500n)
  })

  it("picks the tier by the whole prompt, cached reads and cache writes included", () => {
    const sonnet = price("claude-sonnet-4.5")
    const cost = costOf(
      usage({ promptTokens: 250_000, cachedTokens: 200_000, cacheWriteTokens: 40_000 }),
      sonnet,
    )

    // >200k Sonnet 4.5: $6 in, $0.60 read, $7.50 write per million.
    // 10,000 x 6,000,000 + 200,000 x 600,000 + 40,000 x 7,500,000
    //   = 60,000,000,000 + 120,000,000,000 + 300,000,000,000 = 480,000,000,000 pico
    expect(cost.breakdownPicoUsd).toEqual({
      input: 60_000_000_000n,
      cachedInput: 120_000_000_000n,
      cacheWrite: 300_000_000_000n,
      output: 0n,
    })
    expect(cost.nanoUsd).toBe(480_000_000n)
  })

  it("charges Anthropic cache writes once, at 1.25x input, and reads at 0.1x", () => {
    const cost = costOf(
      usage({
        promptTokens: 3_000,
        cachedTokens: 1_000,
        cacheWriteTokens: 1_500,
        completionTokens: 10,
      }),
      price("claude-sonnet-4.5"),
    )

    // 500 x 3,000,000 + 1,000 x 300,000 + 1,500 x 3,750,000 + 10 x 15,000,000
    //   = 1,500,000,000 + 300,000,000 + 5,625,000,000 + 150,000,000 = 7,575,000,000 pico
    expect(cost.nanoUsd).toBe(7_575_000n)
  })

  it("bills reasoning as output because it is inside completionTokens", () => {
    const withThinking = usage({ promptTokens: 10, completionTokens: 110, reasoningTokens: 100 })
    const cost = costOf(withThinking, price("gemini-2.5-flash"))

    // 10 x 300,000 + 110 x 2,500,000 = 3,000,000 + 275,000,000 pico
    expect(cost.nanoUsd).toBe(278_000n)
  })

  it("rounds half-up once, from pico to nano", () => {
    // 500 pico per input token and 1,499 per output token, so totals land between nanos:
    const custom: ModelPrice = {
      inputPerMillion: 500,
      cachedInputPerMillion: 0,
      cacheWritePerMillion: 0,
      outputPerMillion: 1_499,
      source: "test",
      checkedOn: "2026-12-03",
    }

    expect(costOf(usage({ promptTokens: 1 }), custom).nanoUsd).toBe(1n) // 500 pico
    expect(costOf(usage({ promptTokens: 5 }), custom).nanoUsd).toBe(3n) // 2,500: half-up, not even
    // 1,499 pico-USD rounds down to 1 nano, 2,999 to 3:
    expect(costOf(usage({ promptTokens: 0, completionTokens: 1 }), custom).nanoUsd).toBe(1n)
    expect(costOf(usage({ promptTokens: 3, completionTokens: 1 }), custom).nanoUsd).toBe(3n)
    expect(costOf(usage({ promptTokens: 1, completionTokens: 1 }), custom).picoUsd).toBe(1_999n)
  })

  it("never charges negative plain input when a provider reports more cached than prompt", () => {
    const cost = costOf(usage({ promptTokens: 10, cachedTokens: 12 }), price("deepseek-chat"))

    // 0 x 280,000 + 12 x 28,000 = 336,000 pico
    expect(cost.breakdownPicoUsd.input).toBe(0n)
    expect(cost.nanoUsd).toBe(336n)
  })

  it("sums per-request costs to exactly what the wire values add up to, in nano-USD", () => {
    const flash = price("gemini-2.5-flash")
    const costs = Array.from({ length: 1_000 }, (_, i) =>
      costOf(usage({ promptTokens: 1_000 + i * 37, completionTokens: 17 + i }), flash),
    )
    const ledgerTotal = costs.reduce((sum, cost) => sum + cost.nanoUsd, 0n)

    // A client that reads `usage.cost` back to nano-USD per response gets the same total:
    const fromWire = costs.reduce(
      (sum, cost) => sum + BigInt(Math.round(nanoToUsd(cost.nanoUsd) * 1e9)),
      0n,
    )
    expect(fromWire).toBe(ledgerTotal)
  })
})

describe("ratesFor", () => {
  it("takes the highest tier whose threshold the prompt exceeds", () => {
    const tiered: ModelPrice = {
      inputPerMillion: 1,
      cachedInputPerMillion: 1,
      cacheWritePerMillion: 1,
      outputPerMillion: 1,
      tiers: [
        {
          abovePromptTokens: 100,
          inputPerMillion: 2,
          cachedInputPerMillion: 2,
          cacheWritePerMillion: 2,
          outputPerMillion: 2,
        },
        {
          abovePromptTokens: 1_000,
          inputPerMillion: 3,
          cachedInputPerMillion: 3,
          cacheWritePerMillion: 3,
          outputPerMillion: 3,
        },
      ],
      source: "test",
      checkedOn: "2026-12-03",
    }

    expect(ratesFor(tiered, 100).inputPerMillion).toBe(1)
    expect(ratesFor(tiered, 101).inputPerMillion).toBe(2)
    expect(ratesFor(tiered, 1_000).inputPerMillion).toBe(2)
    expect(ratesFor(tiered, 1_001).inputPerMillion).toBe(3)
  })
})

describe("wire forms of a cost", () => {
  it("renders nano-USD as a number whose JSON text is the exact decimal", () => {
    expect(nanoToUsd(103_161_250n)).toBe(0.10316125)
    expect(JSON.stringify({ cost: nanoToUsd(1n) })).toBe('{"cost":1e-9}')
    expect(JSON.stringify({ cost: nanoToUsd(123_456_789_012n) })).toBe('{"cost":123.456789012}')
  })

  it("renders nano-USD with 9 decimals for headers", () => {
    expect(usdString(103_161_250n)).toBe("0.103161250")
    expect(usdString(0n)).toBe("0.000000000")
    expect(usdString(12_000_000_001n)).toBe("12.000000001")
  })
})
