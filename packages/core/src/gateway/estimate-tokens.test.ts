import { describe, expect, it } from "vitest"
import type { ChatRequest } from "../openai/chat-schemas.ts"
import { estimatePromptTokens } from "./estimate-tokens.ts"

const request = (content: string): ChatRequest => ({
  model: "deepseek-v3.2",
  messages: [{ role: "user", content }],
})

describe("estimatePromptTokens", () => {
  // A 1 MB run of one letter took minutes with the tokenizer's plain countTokens (quadratic);
  // the sliced count finishes in well under a second, so the test's timeout catches a relapse.
  it("counts a long prompt without spaces without hanging", { timeout: 10_000 }, () => {
    const tokens = estimatePromptTokens(request("a".repeat(1_000_000)), 0)
    expect(tokens).toBeGreaterThan(1_000_000 / 64)
  })

  it("counts exactly only near the threshold, cheaply elsewhere", () => {
    const text = "hello world ".repeat(100)
    expect(estimatePromptTokens(request(text))).toBe(Math.ceil(text.length / 4) + 4)
    expect(estimatePromptTokens(request(text), 0)).toBeLessThan(Math.ceil(text.length / 4) + 4)
  })
})
