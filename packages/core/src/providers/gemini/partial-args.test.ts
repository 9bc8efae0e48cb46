import { describe, expect, it } from "@effect/vitest"
import { applyPartialArg, emptyPartialArgs, parseJsonPath } from "./partial-args.ts"

describe("streamed function-call arguments", () => {
  it("reads dotted, indexed and quoted JSON paths", () => {
    expect(parseJsonPath("$.foo.bar[0].data")).toEqual(["foo", "bar", 0, "data"])
    expect(parseJsonPath("$['a b'][\"c\"]")).toEqual(["a b", "c"])
    expect(parseJsonPath("foo")).toBeUndefined()
  })

  it("joins a string streamed in pieces and sets typed values", () => {
    const acc = emptyPartialArgs()
    applyPartialArg(acc, { jsonPath: "$.city", stringValue: "San ", willContinue: true })
    applyPartialArg(acc, { jsonPath: "$.city", stringValue: "Francisco", willContinue: true })
    applyPartialArg(acc, { jsonPath: "$.city", stringValue: "" })
    applyPartialArg(acc, { jsonPath: "$.days[0]", numberValue: 3 })
    applyPartialArg(acc, { jsonPath: "$.opts.metric", boolValue: true })
    applyPartialArg(acc, { jsonPath: "$.note", nullValue: "NULL_VALUE" })
    expect(acc.args).toEqual({
      city: "San Francisco",
      days: [3],
      opts: { metric: true },
      note: null,
    })
  })

  it("starts a new string when the previous piece of that path was the last", () => {
    const acc = emptyPartialArgs()
    applyPartialArg(acc, { jsonPath: "$.id", stringValue: "A" })
    applyPartialArg(acc, { jsonPath: "$.id", stringValue: "B" })
    expect(acc.args).toEqual({ id: "B" })
  })
})
