import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { apiError, type E2e, modelCases, recorded, startE2e, weatherTool } from "./e2e-harness.ts"

// Upstream faults end to end, each in its provider's own shape: a 429 with its retry delay, a
// blocked prompt, Gemini's malformed function call, Anthropic's 529.

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

const messages = [{ role: "user" as const, content: "Hello" }]

describe.each(modelCases)("$model over the $api API", ({ model, upstream }) => {
  it("retries a 429 after the delay it names and succeeds", async () => {
    // Gemini names the delay in the body's RetryInfo, the others in Retry-After.
    e2e.emulator.enqueueFault({ kind: "rate-limit", retryAfterSeconds: 1 }, { model: upstream })
    const data = await e2e.client.chat.completions.create({ model, messages })

    expect(data.choices[0]?.message.content).toMatch(/\S/)
    expect(e2e.emulator.requests.map((r) => r.status)).toEqual([429, 200])
    const waited = recorded(e2e.emulator, 1).receivedAt - recorded(e2e.emulator, 0).receivedAt
    // A little slack for timer granularity; the gateway must not retry early.
    expect(waited).toBeGreaterThanOrEqual(950)
  })

  // On the OpenAI path the emulator's blocked prompt is a refusal (`message.refusal`, finish
  // `stop`, as OpenAI sends it); Tollgate answers every provider's block as content_filter.
  it("answers a blocked prompt with 200 and finish_reason content_filter", async () => {
    e2e.emulator.enqueueFault({ kind: "blocked" }, { model: upstream })
    const { data, response } = await e2e.client.chat.completions
      .create({ model, messages })
      .withResponse()

    expect(response.status).toBe(200)
    expect(data.choices[0]?.finish_reason).toBe("content_filter")
    expect(e2e.emulator.requests).toHaveLength(1)
  })

  it("ends a blocked stream with finish_reason content_filter", async () => {
    e2e.emulator.enqueueFault({ kind: "blocked" }, { model: upstream })
    const stream = await e2e.client.chat.completions.create({ model, messages, stream: true })
    const finishes: Array<string> = []
    for await (const chunk of stream) {
      const finish = chunk.choices[0]?.finish_reason
      if (finish) finishes.push(finish)
    }

    expect(finishes).toEqual(["content_filter"])
  })
})

describe.each(["gemini-3.1-flash", "gemini-2.5-flash"])(
  "MALFORMED_FUNCTION_CALL on %s",
  (model) => {
    const request = { model, messages, tools: [weatherTool] }

    it("is an error status, never an empty success", async () => {
      e2e.emulator.enqueueFault({ kind: "malformed-tool-call" }, { model })
      const error = await apiError(e2e.client.chat.completions.create(request))

      // The upstream's answer was unusable: a bad gateway, with Google's finish message.
      expect(error.status).toBe(502)
      expect(error.message).toMatch(/MALFORMED_FUNCTION_CALL/)
      expect(e2e.emulator.requests).toHaveLength(1)
    })

    it("fails a stream instead of ending it cleanly", async () => {
      e2e.emulator.enqueueFault({ kind: "malformed-tool-call" }, { model })
      const consume = async () => {
        const stream = await e2e.client.chat.completions.create({ ...request, stream: true })
        const finishes: Array<string> = []
        for await (const chunk of stream) {
          const finish = chunk.choices[0]?.finish_reason
          if (finish) finishes.push(finish)
        }
        return finishes
      }

      await expect(consume()).rejects.toThrow(/malformed/i)
    })
  },
)

describe("Gemini rate limits and quotas", () => {
  it("retries a 429 on a stream after its RetryInfo delay, before any chunk went out", async () => {
    e2e.emulator.enqueueFault({ kind: "rate-limit", retryAfterSeconds: 1 })
    const stream = await e2e.client.chat.completions.create({
      model: "gemini-3.1-flash",
      messages,
      stream: true,
    })
    let text = ""
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? ""

    expect(text).toMatch(/\S/)
    expect(e2e.emulator.requests.map((r) => r.status)).toEqual([429, 200])
    const waited = recorded(e2e.emulator, 1).receivedAt - recorded(e2e.emulator, 0).receivedAt
    expect(waited).toBeGreaterThanOrEqual(950)
  })

  it("does not retry a used-up quota, and names it in a 502", async () => {
    e2e.emulator.enqueueFault({ kind: "quota" })
    const error = await apiError(
      e2e.client.chat.completions.create({ model: "gemini-2.5-flash", messages }),
    )

    // The provider's quota, not the caller's rate: a gateway failure, not a 429 to back off from.
    expect(error.status).toBe(502)
    expect(error.code).toBe("upstream_quota_exhausted")
    expect(e2e.emulator.requests).toHaveLength(1)
  })
})

describe("Anthropic overloaded", () => {
  it("retries a 529 overloaded_error and succeeds", async () => {
    e2e.emulator.enqueueFault({ kind: "overloaded" }, { model: "claude-sonnet-4-5" })
    const data = await e2e.client.chat.completions.create({ model: "claude-sonnet-4.5", messages })

    expect(data.choices[0]?.message.content).toMatch(/\S/)
    expect(e2e.emulator.requests.map((r) => r.status)).toEqual([529, 200])
  })
})
