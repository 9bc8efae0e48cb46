import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { findTooDeepField, MAX_JSON_DEPTH } from "./find-too-deep-field.ts"
import { validateRequest } from "./validate-request.ts"

/** `levels` arrays nested in one another, built without recursion. */
const nested = (levels: number): unknown => {
  let value: unknown = []
  for (let i = 1; i < levels; i++) value = [value]
  return value
}

const chat = { model: "m", messages: [{ role: "user", content: "hi" }] }

describe("findTooDeepField", () => {
  it("accepts a field nested exactly to the limit and names one nested past it", () => {
    expect(findTooDeepField({ ...chat, metadata: nested(MAX_JSON_DEPTH) })).toBeUndefined()
    expect(findTooDeepField({ ...chat, metadata: nested(MAX_JSON_DEPTH + 1) })).toBe("metadata")
    expect(findTooDeepField({ tools: [{ a: { b: nested(MAX_JSON_DEPTH) } }] })).toBe("tools")
  })

  it("walks 100,000 levels without overflowing the stack", () => {
    expect(findTooDeepField({ metadata: nested(100_000) })).toBe("metadata")
  })
})

describe("validateRequest", () => {
  it("refuses a body nested 100,000 levels deep with a 400 naming the field", () => {
    const error = Effect.runSync(
      Effect.flip(validateRequest({ ...chat, metadata: nested(100_000) })),
    )
    expect(error.status).toBe(400)
    expect(error.param).toBe("metadata")
    expect(error.message).toContain("nested more than 64 levels")
  })
})
