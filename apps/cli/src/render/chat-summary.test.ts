import { describe, expect, it } from "vitest"
import { formatChatSummary } from "./chat-summary.ts"
import { formatUsd } from "./format-usd.ts"

describe("formatChatSummary", () => {
  it("shows latency, first token, tokens and the cost to the nano-dollar", () => {
    const line = formatChatSummary({
      model: "gpt-4.1",
      latencyMs: 1234.5,
      firstTokenMs: 45.2,
      promptTokens: 9,
      completionTokens: 16,
      costUsd: "0.000146000",
    })
    expect(line).toBe(
      "gpt-4.1 · 1.23 s (first token 45 ms) · 9 prompt + 16 completion tokens · $0.000146",
    )
  })

  it("says what the gateway did not report instead of printing zeros", () => {
    const line = formatChatSummary({ model: "m", latencyMs: 80 })
    expect(line).toBe("m · 80 ms · tokens unknown · cost unknown")
  })
})

describe("formatUsd", () => {
  it("keeps small costs visible and drops trailing zeros", () => {
    expect(formatUsd(0.000243)).toBe("$0.000243")
    expect(formatUsd("12.000000001")).toBe("$12.000000001")
    expect(formatUsd("5.000000000")).toBe("$5.00")
    expect(formatUsd(0)).toBe("$0.00")
  })
})
