import type OpenAI from "openai"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { asObject, bodyOf, type E2e, type JsonObject, startE2e } from "./e2e-harness.ts"

// Speed mode end to end: the pipelines' `extra_body` generation config, OpenAI's
// `reasoning_effort` and the `x-tollgate-mode` header, each checked against the thinking
// config the emulator received, and controls a model cannot honour reported in a header.

let e2e: E2e

beforeAll(async () => {
  e2e = await startE2e()
})

afterAll(async () => {
  await e2e?.close()
})

beforeEach(() => {
  e2e.emulator.reset()
})

const messages = [{ role: "user" as const, content: "Answer fast" }]

/** How the client asks for speed. */
type Way = "generation_config" | "reasoning_effort" | "header"

/** The request that asks `model` for speed the given way, and its per-request headers. */
const speedRequest = (model: string, way: Way) => {
  const body: OpenAI.ChatCompletionCreateParamsNonStreaming = { model, messages }
  if (way === "generation_config") {
    // What Python's `extra_body={"generation_config": ...}` puts in the JSON body.
    Object.assign(body, {
      generation_config: { thinking_mode: "speed", response_modality: "text" },
    })
  }
  if (way === "reasoning_effort") body.reasoning_effort = "none"
  const headers: Record<string, string> = way === "header" ? { "x-tollgate-mode": "speed" } : {}
  return { body, headers }
}

/** The thinking settings of a recorded Gemini body. */
const geminiThinking = (body: JsonObject): JsonObject =>
  asObject(asObject(body.generationConfig).thinkingConfig)

interface SpeedCase {
  readonly model: string
  /** Checks the upstream body the emulator recorded. */
  readonly check: (body: JsonObject) => void
  /** Warning expected when speed is asked with `reasoning_effort: "none"`. */
  readonly noneWarning?: RegExp
  /** Most reasoning tokens a speed answer may report (the emulator thinks within the config). */
  readonly maxReasoning: number
}

const geminiLevel = (level: string) => (body: JsonObject) => {
  const thinking = geminiThinking(body)
  expect(thinking.thinkingLevel).toBe(level)
  expect(thinking).not.toHaveProperty("thinkingBudget")
}

const geminiBudget = (budget: number) => (body: JsonObject) => {
  const thinking = geminiThinking(body)
  expect(thinking.thinkingBudget).toBe(budget)
  expect(thinking).not.toHaveProperty("thinkingLevel")
}

const noReasoningSent = (body: JsonObject) => {
  expect(body).not.toHaveProperty("reasoning_effort")
  expect(body).not.toHaveProperty("generation_config")
}

const cases: ReadonlyArray<SpeedCase> = [
  {
    model: "gemini-3.1-flash",
    check: geminiLevel("minimal"),
    noneWarning: /thinking cannot be turned off on gemini-3\.1-flash/,
    maxReasoning: 0,
  },
  { model: "gemini-2.5-flash", check: geminiBudget(0), maxReasoning: 0 },
  {
    model: "gemini-2.5-pro",
    check: geminiBudget(128),
    noneWarning: /thinking cannot be turned off on gemini-2\.5-pro/,
    maxReasoning: 128,
  },
  {
    model: "claude-sonnet-4.5",
    check: (body) => expect(body.thinking).toEqual({ type: "disabled" }),
    maxReasoning: 0,
  },
  {
    model: "gpt-4.1",
    check: noReasoningSent,
    noneWarning: /reasoning_effort ignored/,
    maxReasoning: 0,
  },
  {
    model: "deepseek-v3.2",
    check: noReasoningSent,
    noneWarning: /reasoning_effort ignored/,
    maxReasoning: 0,
  },
]

describe.each(cases)("speed mode on $model", ({ model, check, noneWarning, maxReasoning }) => {
  it.each<Way>(["generation_config", "reasoning_effort", "header"])(
    "sends the least thinking the model accepts when asked by %s",
    async (way) => {
      const { body, headers } = speedRequest(model, way)
      const { data, response } = await e2e.client.chat.completions
        .create(body, { headers })
        .withResponse()

      expect(data.choices[0]?.message.content).toMatch(/\S/)
      check(bodyOf(e2e.emulator, 0))
      const reasoning = data.usage?.completion_tokens_details?.reasoning_tokens ?? 0
      expect(reasoning).toBeLessThanOrEqual(maxReasoning)

      const warnings = response.headers.get("x-tollgate-warnings")
      if (way === "reasoning_effort" && noneWarning !== undefined)
        expect(warnings).toMatch(noneWarning)
      else expect(warnings).toBeNull()
    },
  )

  it("sends the same thinking config on a stream", async () => {
    const stream = await e2e.client.chat.completions.create(
      { model, messages, stream: true },
      { headers: { "x-tollgate-mode": "speed" } },
    )
    let text = ""
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ""

    expect(text).toMatch(/\S/)
    check(bodyOf(e2e.emulator, 0))
  })

  it("reports what it could not honour in the headers of a stream too", async () => {
    const { data: stream, response } = await e2e.client.chat.completions
      .create({ model, messages, stream: true, reasoning_effort: "none" })
      .withResponse()
    for await (const _ of stream) {
      // Drained so the request ends before the next test resets the emulator.
    }

    check(bodyOf(e2e.emulator, 0))
    const warnings = response.headers.get("x-tollgate-warnings")
    if (noneWarning === undefined) expect(warnings).toBeNull()
    else expect(warnings).toMatch(noneWarning)
  })
})

describe("thinking controls a model cannot honour", () => {
  it("counts thinking in completion tokens when the model is left to think", async () => {
    const data = await e2e.client.chat.completions.create({ model: "gemini-2.5-pro", messages })

    const reasoning = data.usage?.completion_tokens_details?.reasoning_tokens ?? 0
    expect(reasoning).toBeGreaterThan(0)
    expect(data.usage?.completion_tokens).toBeGreaterThan(reasoning)
  })

  it("reports a reasoning effort a level model lacks, and sends its nearest level", async () => {
    const { response } = await e2e.client.chat.completions
      .create({ model: "gemini-3.1-flash", messages, reasoning_effort: "xhigh" as "high" })
      .withResponse()

    expect(geminiThinking(bodyOf(e2e.emulator, 0)).thinkingLevel).toBe("high")
    expect(response.headers.get("x-tollgate-warnings")).toMatch(
      /reasoning_effort xhigh not accepted by gemini-3\.1-flash/,
    )
  })

  it("never sends both a thinking level and a budget, whatever is asked", async () => {
    const efforts = ["none", "minimal", "low", "medium", "high"] as const
    for (const model of ["gemini-3.1-flash", "gemini-2.5-flash", "gemini-2.5-pro"]) {
      for (const reasoning_effort of efforts) {
        e2e.emulator.reset()
        await e2e.client.chat.completions.create({ model, messages, reasoning_effort })
        const thinking = geminiThinking(bodyOf(e2e.emulator, 0))
        const both = "thinkingLevel" in thinking && "thinkingBudget" in thinking
        expect(both, `${model} with ${reasoning_effort}`).toBe(false)
      }
    }
  })
})
