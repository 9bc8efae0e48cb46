import { describe, expect, it } from "vitest"
import { FaultSpecError, parseFault, splitModelFault } from "./parse-fault.ts"

describe("parseFault", () => {
  it("reads every fault of the grammar", () => {
    expect(parseFault("status=503;retry-after=1")).toEqual({
      kind: "status",
      status: 503,
      retryAfterSeconds: 1,
    })
    expect(parseFault("status=400;message=bad thing")).toEqual({
      kind: "status",
      status: 400,
      message: "bad thing",
    })
    expect(parseFault("rate-limit=2")).toEqual({ kind: "rate-limit", retryAfterSeconds: 2 })
    expect(parseFault("rate-limit")).toEqual({ kind: "rate-limit", retryAfterSeconds: 1 })
    expect(parseFault("cut=3")).toEqual({ kind: "cut", afterChunks: 3 })
    expect(parseFault("stream-error=2")).toEqual({ kind: "stream-error", afterChunks: 2 })
    expect(parseFault("delay=2000")).toEqual({ kind: "delay", ms: 2000 })
    for (const kind of [
      "quota",
      "overloaded",
      "reset",
      "stall",
      "blocked",
      "malformed-tool-call",
    ]) {
      expect(parseFault(kind)).toEqual({ kind })
    }
  })

  it("refuses unknown faults and missing numbers", () => {
    expect(() => parseFault("explode")).toThrow(FaultSpecError)
    expect(() => parseFault("status")).toThrow(FaultSpecError)
    expect(() => parseFault("cut=x")).toThrow(FaultSpecError)
  })

  it("splits a fault suffix off a model name", () => {
    expect(splitModelFault("gpt-4.1~status=503")).toEqual({
      model: "gpt-4.1",
      fault: { kind: "status", status: 503 },
    })
    expect(splitModelFault("gemini-2.5-flash")).toEqual({
      model: "gemini-2.5-flash",
      fault: undefined,
    })
  })
})
