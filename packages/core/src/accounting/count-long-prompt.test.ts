import { describe, expect, it } from "vitest"
import { estimatePromptTokens } from "./worst-case.ts"

describe("estimatePromptTokens on a long prompt without spaces", () => {
  // A 1 MB run of one letter took minutes with the tokenizer's plain countTokens (quadratic);
  // the sliced count finishes in well under a second, so the test's timeout catches a relapse.
  it("counts it without hanging", { timeout: 10_000 }, () => {
    const tokens = estimatePromptTokens({
      messages: [{ role: "user", content: "a".repeat(1_000_000) }],
    })
    expect(tokens).toBeGreaterThan(1_000_000 / 64)
  })
})
