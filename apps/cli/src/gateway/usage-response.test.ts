import { describe, expect, it } from "vitest"
import { defaultRange, parseTimeBound } from "./time-range.ts"
import { UsageResponse, usageGroups } from "./usage-response.ts"

describe("usageGroups", () => {
  it("reads USD decimals exactly, whatever their float rounding would be", () => {
    const response = UsageResponse.parse({
      data: [
        { group: "a", requests: 2, prompt_tokens: 3, completion_tokens: 4, cost_usd: "0.1" },
        { group: "b", requests: 1, prompt_tokens: 1, completion_tokens: 1, cost_usd: "0.2" },
      ],
    })
    const groups = usageGroups(response, "model")
    expect(groups.map((g) => g.costNanoUsd)).toEqual([100_000_000n, 200_000_000n])
  })

  it("takes the group's name from the dimension's own field when `group` is absent", () => {
    const response = UsageResponse.parse({
      data: [{ key_id: "k1", requests: 1, cost_nano_usd: "42" }],
    })
    expect(usageGroups(response, "key")).toEqual([
      {
        group: "k1",
        requests: 1,
        promptTokens: undefined,
        completionTokens: undefined,
        costNanoUsd: 42n,
      },
    ])
  })
})

describe("time bounds", () => {
  it("counts the whole day of a date given as --to", () => {
    expect(parseTimeBound("2026-12-01", "from")).toBe(Date.UTC(2026, 11, 1))
    expect(parseTimeBound("2026-12-01", "to")).toBe(Date.UTC(2026, 11, 2))
    expect(parseTimeBound("2026-12-01T10:00:00Z", "to")).toBe(Date.UTC(2026, 11, 1, 10))
    expect(parseTimeBound("yesterday", "from")).toBeUndefined()
  })

  it("defaults to this UTC month up to the end of today", () => {
    const range = defaultRange(Date.UTC(2026, 11, 3, 13, 30))
    expect(range).toEqual({ from: Date.UTC(2026, 11, 1), to: Date.UTC(2026, 11, 4) })
  })
})
