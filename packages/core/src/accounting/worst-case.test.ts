import { encode } from "gpt-tokenizer/encoding/o200k_base"
import { describe, expect, it } from "vitest"
import { costOf } from "./cost.ts"
import { countTextTokens } from "./count-tokens.ts"
import { defaultPriceBook } from "./price-catalog.ts"
import type { ModelPrice } from "./types.ts"
import {
  allowedOutputTokens,
  estimateOutputTokens,
  estimatePromptTokens,
  IMAGE_TOKENS,
  MESSAGE_OVERHEAD_TOKENS,
  REQUEST_OVERHEAD_TOKENS,
  worstCaseNanoUsd,
  worstCaseOf,
} from "./worst-case.ts"

const priceOf = (model: string): ModelPrice => {
  const price = defaultPriceBook.get(model)
  if (!price) throw new Error(`no price for ${model}`)
  return price
}

describe("countTextTokens", () => {
  it("counts with o200k, as the tokenizer library does", () => {
    const text = "Tollgate records what every request cost, to the nano-dollar."

    expect(countTextTokens(text)).toBe(encode(text).length)
    expect(countTextTokens("")).toBe(0)
  })

  it("treats special-token text in a message as text instead of throwing", () => {
    expect(countTextTokens("before <|endoftext|> after")).toBeGreaterThan(3)
  })

  it("stays linear on a long run without spaces, erring high", () => {
    const run = "a".repeat(200_000)
    const started = performance.now()
    const tokens = countTextTokens(run)

    // Whole, this run takes o200k ~30 s; sliced, well under a second on any machine.
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(tokens).toBeGreaterThanOrEqual(200_000 / 8)
  })
})

describe("estimatePromptTokens", () => {
  it("adds per-message and per-request overheads to the text tokens", () => {
    const request = {
      messages: [
        { role: "system" as const, content: "You are terse." },
        { role: "user" as const, content: "Name three rivers." },
      ],
    }

    expect(estimatePromptTokens(request)).toBe(
      REQUEST_OVERHEAD_TOKENS +
        2 * MESSAGE_OVERHEAD_TOKENS +
        encode("You are terse.").length +
        encode("Name three rivers.").length,
    )
  })

  it("counts images at the flat estimate and tool definitions and calls as text", () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: {} } }]
    const request = {
      messages: [
        {
          role: "user" as const,
          content: [
            { type: "text" as const, text: "What is this?" },
            { type: "image_url" as const, image_url: { url: "data:image/png;base64,AAAA" } },
          ],
        },
        {
          role: "assistant" as const,
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function" as const,
              function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: "tool" as const, tool_call_id: "call_1", content: "4 degrees" },
      ],
      tools,
    }

    expect(estimatePromptTokens(request)).toBe(
      REQUEST_OVERHEAD_TOKENS +
        3 * MESSAGE_OVERHEAD_TOKENS +
        encode("What is this?").length +
        IMAGE_TOKENS +
        encode("get_weather").length +
        encode('{"city":"Oslo"}').length +
        encode("4 degrees").length +
        encode(JSON.stringify(tools)).length,
    )
  })
})

describe("worstCaseOf", () => {
  const ask = "Summarise the attached report."
  const messages = [{ role: "user" as const, content: ask }]

  it("reserves the prompt with its margin plus max_tokens at the output price, rounded up", () => {
    const worst = worstCaseOf({ messages, max_tokens: 1_000 }, priceOf("gpt-4.1"), 32_768)
    const prompt = REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + encode(ask).length
    const reserved = Math.ceil((prompt * 120) / 100)

    // reserved x 2,000,000 (input is the dearest prompt rate) + 1,000 x 8,000,000 pico
    expect(worst.promptTokens).toBe(prompt)
    expect(worst.reservedPromptTokens).toBe(reserved)
    expect(worst.outputTokens).toBe(1_000)
    expect(worst.tokens).toBe(prompt + 1_000)
    expect(worst.nanoUsd).toBe(BigInt(reserved * 2_000 + 8_000_000))
  })

  it("uses the model's output limit when the request sets none, and multiplies by n", () => {
    expect(allowedOutputTokens({ messages }, 65_536)).toBe(65_536)
    expect(allowedOutputTokens({ messages, max_tokens: 100_000 }, 65_536)).toBe(65_536)
    expect(
      allowedOutputTokens({ messages, max_completion_tokens: 50, max_tokens: 900, n: 3 }, 8_192),
    ).toBe(150)
  })

  it("prices the prompt at the cache-write rate where that is dearer than input", () => {
    const worst = worstCaseOf({ messages, max_tokens: 1 }, priceOf("claude-sonnet-4.5"), 64_000, {
      promptMarginPercent: 0,
    })

    // prompt x 3,750,000 (5-minute write) + 1 x 15,000,000 pico
    expect(worst.nanoUsd).toBe(BigInt(worst.promptTokens * 3_750 + 15_000))
  })

  it("uses the long-prompt tier when the prompt with its margin could reach it", () => {
    const long = [{ role: "user" as const, content: "word ".repeat(170_000) }]
    const worst = worstCaseOf({ messages: long, max_tokens: 10 }, priceOf("gemini-2.5-pro"), 65_536)

    // ~170k tokens counted, over 200k with the 20% margin: $2.50 in and $15 out per million.
    expect(worst.promptTokens).toBeLessThanOrEqual(200_000)
    expect(worst.reservedPromptTokens).toBeGreaterThan(200_000)
    expect(worst.nanoUsd).toBe(BigInt(worst.reservedPromptTokens * 2_500 + 10 * 15_000))
  })

  it("never reserves less than the exact cost of the same tokens", () => {
    const price = priceOf("gemini-2.5-pro")
    const worst = worstCaseOf({ messages, max_tokens: 500 }, price, 65_536)
    const exact = costOf(
      {
        promptTokens: worst.promptTokens,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        completionTokens: 500,
        reasoningTokens: 0,
      },
      price,
    )

    expect(worst.nanoUsd).toBeGreaterThanOrEqual(exact.nanoUsd)
    expect(worstCaseNanoUsd({ messages, max_tokens: 500 }, price, 65_536)).toBe(worst.nanoUsd)
  })
})

describe("estimateOutputTokens", () => {
  it("counts the text a cut-off stream produced, pieces added up", () => {
    const content = "The river Glomma is the longest in Norway"
    const toolArguments = '{"city":"Oslo"}'

    expect(estimateOutputTokens(content)).toBe(encode(content).length)
    expect(estimateOutputTokens([content, toolArguments])).toBe(
      encode(content).length + encode(toolArguments).length,
    )
    expect(estimateOutputTokens([])).toBe(0)
  })
})
