import { describe, expect, it } from "@effect/vitest"
import type { RequestControls } from "../adapter.ts"
import {
  gemini3Flash,
  gemini3Pro,
  gemini25Flash,
  gemini25Pro,
  geminiModel,
  noControls,
} from "./test-support.ts"
import { thinkingConfig } from "./thinking-config.ts"

const speed: RequestControls = { speed: true, includeReasoning: false }
const effort = (reasoningEffort: string): RequestControls => ({
  speed: false,
  reasoningEffort,
  includeReasoning: true,
})

const run = (model = gemini3Flash, controls: RequestControls = noControls) => {
  const warnings: Array<string> = []
  const config = thinkingConfig(model, controls, warnings)
  return { config, warnings }
}

describe("thinking config", () => {
  it("speed mode on Gemini 3 Flash asks for the minimal level", () => {
    expect(run(gemini3Flash, speed)).toEqual({ config: { thinkingLevel: "minimal" }, warnings: [] })
  })

  it("speed mode on Gemini 3 Pro asks for the low level", () => {
    expect(run(gemini3Pro, speed)).toEqual({ config: { thinkingLevel: "low" }, warnings: [] })
  })

  it("speed mode on Gemini 2.5 Flash switches thinking off with a zero budget", () => {
    expect(run(gemini25Flash, speed)).toEqual({ config: { thinkingBudget: 0 }, warnings: [] })
  })

  it("speed mode on Gemini 2.5 Pro asks for its minimum budget of 128", () => {
    expect(run(gemini25Pro, speed)).toEqual({ config: { thinkingBudget: 128 }, warnings: [] })
  })

  it("speed mode wins over reasoning_effort", () => {
    const controls: RequestControls = {
      speed: true,
      reasoningEffort: "high",
      includeReasoning: false,
    }
    expect(run(gemini3Pro, controls).config).toEqual({ thinkingLevel: "low" })
  })

  it("sends no thinking config when nothing was asked", () => {
    expect(run(gemini3Pro, noControls)).toEqual({ config: undefined, warnings: [] })
  })

  it("maps reasoning_effort to a level the model accepts", () => {
    expect(run(gemini3Flash, effort("medium")).config).toEqual({
      thinkingLevel: "medium",
      includeThoughts: true,
    })
    expect(run(gemini3Flash, effort("minimal")).config).toMatchObject({ thinkingLevel: "minimal" })
    expect(run(gemini3Flash, effort("high")).warnings).toEqual([])
  })

  it("moves an effort Gemini 3 Pro lacks to its nearest level and says so", () => {
    const medium = run(gemini3Pro, effort("medium"))
    expect(medium.config).toMatchObject({ thinkingLevel: "high" })
    expect(medium.warnings).toEqual([
      "reasoning_effort medium not accepted by gemini-3-pro-test; used level high",
    ])
    expect(run(gemini3Pro, effort("minimal")).config).toMatchObject({ thinkingLevel: "low" })
    expect(run(gemini3Pro, effort("xhigh")).config).toMatchObject({ thinkingLevel: "high" })
  })

  it("warns that Gemini 3 cannot turn thinking off for reasoning_effort none", () => {
    const none = run(gemini3Flash, effort("none"))
    expect(none.config).toMatchObject({ thinkingLevel: "minimal" })
    expect(none.warnings).toHaveLength(1)
    expect(none.warnings[0]).toContain("cannot be turned off")
  })

  it("maps reasoning_effort to budgets clamped into the 2.5 model's range", () => {
    expect(run(gemini25Flash, effort("none"))).toEqual({
      config: { thinkingBudget: 0, includeThoughts: true },
      warnings: [],
    })
    expect(run(gemini25Flash, effort("low")).config).toMatchObject({ thinkingBudget: 1024 })
    expect(run(gemini25Flash, effort("medium")).config).toMatchObject({ thinkingBudget: 8192 })
    expect(run(gemini25Flash, effort("high")).config).toMatchObject({ thinkingBudget: 24_576 })
    expect(run(gemini25Flash, effort("xhigh")).config).toMatchObject({ thinkingBudget: 24_576 })
    expect(run(gemini25Pro, effort("xhigh")).config).toMatchObject({ thinkingBudget: 32_768 })
    expect(run(gemini25Pro, effort("minimal")).config).toMatchObject({ thinkingBudget: 128 })
  })

  it("uses 2.5 Pro's minimum for reasoning_effort none and says so", () => {
    const none = run(gemini25Pro, effort("none"))
    expect(none.config).toEqual({ thinkingBudget: 128, includeThoughts: true })
    expect(none.warnings[0]).toContain("minimum budget 128")
  })

  it("asks for thoughts only when reasoning text was requested", () => {
    expect(run(gemini3Pro, { speed: false, includeReasoning: true }).config).toEqual({
      includeThoughts: true,
    })
    expect(run(gemini25Flash, speed).config).not.toHaveProperty("includeThoughts")
  })

  it("warns when a model that does not think is given reasoning_effort", () => {
    const plain = geminiModel("gemini-2.0-flash", { kind: "none" })
    expect(run(plain, effort("high"))).toEqual({
      config: undefined,
      warnings: ["reasoning_effort ignored: gemini-2.0-flash-test does not think"],
    })
    expect(run(plain, speed)).toEqual({ config: undefined, warnings: [] })
  })

  it("never sets thinkingLevel and thinkingBudget together", () => {
    const models = [gemini3Flash, gemini3Pro, gemini25Flash, gemini25Pro]
    const efforts = [undefined, "none", "minimal", "low", "medium", "high", "xhigh"]
    for (const model of models)
      for (const speedMode of [true, false])
        for (const e of efforts)
          for (const includeReasoning of [true, false]) {
            const controls: RequestControls = {
              speed: speedMode,
              includeReasoning,
              ...(e === undefined ? {} : { reasoningEffort: e }),
            }
            const config = run(model, controls).config ?? {}
            expect("thinkingLevel" in config && "thinkingBudget" in config).toBe(false)
          }
  })
})
