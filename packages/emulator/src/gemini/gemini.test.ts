import {
  ApiError,
  FinishReason,
  type GenerateContentResponse,
  GoogleGenAI,
  type Tool,
  Type,
} from "@google/genai"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { startEmulator } from "../server.ts"
import { countTokens } from "../tokens.ts"
import type { Emulator } from "../types.ts"

let emu: Emulator
let ai: GoogleGenAI

beforeAll(async () => {
  emu = await startEmulator()
  ai = new GoogleGenAI({ apiKey: "AIza-test", httpOptions: { baseUrl: emu.url } })
})
afterAll(() => emu.close())
beforeEach(() => emu.reset())

const weather: Tool = {
  functionDeclarations: [
    {
      name: "weather",
      parameters: {
        type: Type.OBJECT,
        properties: { location: { type: Type.STRING }, days: { type: Type.INTEGER } },
        required: ["location"],
      },
    },
  ],
}

const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ApiError,
  )

describe("Gemini generateContent", () => {
  it("answers text with usage that counts it, thoughts included in the total", async () => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "count the letters",
    })
    const usage = response.usageMetadata
    expect(response.candidates?.[0]?.finishReason).toBe(FinishReason.STOP)
    expect(usage?.candidatesTokenCount).toBe(countTokens(response.text ?? ""))
    expect(usage?.promptTokenCount).toBe(3)
    expect(usage?.thoughtsTokenCount).toBeGreaterThan(0)
    expect(usage?.totalTokenCount).toBe(
      (usage?.promptTokenCount ?? 0) +
        (usage?.candidatesTokenCount ?? 0) +
        (usage?.thoughtsTokenCount ?? 0),
    )
    expect(response.modelVersion).toBe("gemini-2.5-flash")
    expect(response.responseId).toBeTruthy()
    expect(emu.requests[0]).toMatchObject({
      api: "gemini",
      model: "gemini-2.5-flash",
      stream: false,
    })
    expect(emu.requests[0]?.headers["x-goog-api-key"]).toBe("AIza-test")
  })

  it("streams text over SSE with running usage, the last chunk carrying the finish", async () => {
    const stream = await ai.models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "stream it",
      // No thinking, so the whole cap goes to the answer:
      config: { maxOutputTokens: 5, thinkingConfig: { thinkingBudget: 0 } },
    })
    let text = ""
    let last: GenerateContentResponse | undefined
    for await (const chunk of stream) {
      text += chunk.text ?? ""
      last = chunk
    }
    expect(countTokens(text)).toBe(5)
    expect(last?.candidates?.[0]?.finishReason).toBe(FinishReason.MAX_TOKENS)
    expect(last?.usageMetadata?.candidatesTokenCount).toBe(5)
    expect(emu.requests[0]?.path).toContain(":streamGenerateContent?alt=sse")
  })

  it("follows the thinking config: none at budget 0 or minimal, else within budget", async () => {
    const thoughts = async (model: string, thinkingConfig: object) =>
      (await ai.models.generateContent({ model, contents: "think", config: { thinkingConfig } }))
        .usageMetadata?.thoughtsTokenCount

    expect(await thoughts("gemini-2.5-flash", { thinkingBudget: 0 })).toBeUndefined()
    expect(await thoughts("gemini-3.1-flash", { thinkingLevel: "minimal" })).toBeUndefined()
    const budgeted = await thoughts("gemini-2.5-flash", { thinkingBudget: 20 })
    expect(budgeted).toBeGreaterThan(0)
    expect(budgeted).toBeLessThanOrEqual(20)
    expect(await thoughts("gemini-3.1-pro", { thinkingLevel: "low" })).toBeGreaterThan(0)
    expect(emu.requests[0]?.body).toMatchObject({
      generationConfig: { thinkingConfig: { thinkingBudget: 0 } },
    })
  })

  it("counts thoughts against maxOutputTokens, the answer getting what is left", async () => {
    const ask = (model: string, config: object) =>
      ai.models.generateContent({ model, contents: "think briefly", config })
    const spent = (response: GenerateContentResponse) =>
      (response.usageMetadata?.thoughtsTokenCount ?? 0) +
      (response.usageMetadata?.candidatesTokenCount ?? 0)

    // Default thinking wants far more than 10 tokens: it takes the whole cap, no answer is left.
    const starved = await ask("gemini-2.5-flash", { maxOutputTokens: 10 })
    expect(starved.usageMetadata?.thoughtsTokenCount).toBe(10)
    expect(spent(starved)).toBe(10)
    expect(starved.candidates?.[0]?.finishReason).toBe(FinishReason.MAX_TOKENS)

    const budgeted = await ask("gemini-3.1-flash", {
      maxOutputTokens: 10,
      thinkingConfig: { thinkingBudget: 4 },
    })
    expect(budgeted.usageMetadata?.thoughtsTokenCount).toBe(4)
    expect(budgeted.usageMetadata?.candidatesTokenCount).toBe(6)
    expect(countTokens(budgeted.text ?? "")).toBe(6)
    expect(budgeted.candidates?.[0]?.finishReason).toBe(FinishReason.MAX_TOKENS)

    const stream = await ai.models.generateContentStream({
      model: "gemini-2.5-flash",
      contents: "think briefly",
      config: { maxOutputTokens: 10, thinkingConfig: { thinkingBudget: 4 } },
    })
    let last: GenerateContentResponse | undefined
    for await (const chunk of stream) last = chunk
    expect(last && spent(last)).toBe(10)
    expect(last?.candidates?.[0]?.finishReason).toBe(FinishReason.MAX_TOKENS)

    // A roomy cap leaves the answer whole:
    const roomy = await ask("gemini-2.5-flash", { maxOutputTokens: 1000 })
    expect(roomy.candidates?.[0]?.finishReason).toBe(FinishReason.STOP)
    expect(spent(roomy)).toBeLessThanOrEqual(1000)
  })

  it("drops a function call that does not fit in maxOutputTokens", async () => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "weather?",
      config: { tools: [weather], maxOutputTokens: 1, thinkingConfig: { thinkingBudget: 0 } },
    })
    expect(response.functionCalls).toBeUndefined()
    expect(response.candidates?.[0]?.finishReason).toBe(FinishReason.MAX_TOKENS)
    expect(response.usageMetadata?.candidatesTokenCount ?? 0).toBeLessThanOrEqual(1)
  })

  it("rejects a thinking budget sent together with a level, as Google does", async () => {
    const error = await fail(
      ai.models.generateContent({
        model: "gemini-3.1-flash",
        contents: "x",
        config: { thinkingConfig: { thinkingBudget: 10, thinkingLevel: "low" as never } },
      }),
    )
    expect(error).toBeInstanceOf(ApiError)
    expect(error?.status).toBe(400)
    expect(error?.message).toContain("INVALID_ARGUMENT")
  })

  it("rejects a zero budget on 2.5 Pro, which only works in thinking mode", async () => {
    const error = await fail(
      ai.models.generateContent({
        model: "gemini-2.5-pro",
        contents: "x",
        config: { thinkingConfig: { thinkingBudget: 0 } },
      }),
    )
    expect(error?.status).toBe(400)
  })

  it("returns thought parts only when includeThoughts is set", async () => {
    const ask = async (includeThoughts: boolean) =>
      (
        await ai.models.generateContent({
          model: "gemini-2.5-flash",
          contents: "x",
          config: { thinkingConfig: { includeThoughts } },
        })
      ).candidates?.[0]?.content?.parts ?? []
    expect((await ask(true)).filter((part) => part.thought === true)).toHaveLength(1)
    expect((await ask(false)).filter((part) => part.thought === true)).toHaveLength(0)
  })

  it("calls a function with a thought signature on Gemini 3, then answers its result", async () => {
    const call = await ai.models.generateContent({
      model: "gemini-3.1-flash",
      contents: "weather in Paris",
      config: { tools: [weather] },
    })
    const part = call.candidates?.[0]?.content?.parts?.[0]
    expect(call.functionCalls?.[0]).toMatchObject({ name: "weather", args: { days: 7 } })
    expect(typeof call.functionCalls?.[0]?.args?.location).toBe("string")
    expect(part?.thoughtSignature).toBeTruthy()
    expect(call.candidates?.[0]?.finishReason).toBe(FinishReason.STOP)

    const older = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "weather in Paris",
      config: { tools: [weather] },
    })
    expect(older.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toBeUndefined()

    const answer = await ai.models.generateContent({
      model: "gemini-3.1-flash",
      config: { tools: [weather] },
      contents: [
        { role: "user", parts: [{ text: "weather in Paris" }] },
        { role: "model", parts: part === undefined ? [] : [part] },
        {
          role: "user",
          parts: [{ functionResponse: { name: "weather", response: { sky: "clear" } } }],
        },
      ],
    })
    expect(answer.functionCalls).toBeUndefined()
    expect(answer.text).toBeTruthy()
  })

  it("signs a Gemini 3 text answer, streamed as a final empty signed part", async () => {
    const whole = await ai.models.generateContent({ model: "gemini-3.1-pro", contents: "x" })
    expect(whole.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toBeTruthy()

    const stream = await ai.models.generateContentStream({ model: "gemini-3.1-pro", contents: "x" })
    let text = ""
    let last: GenerateContentResponse | undefined
    for await (const chunk of stream) {
      text += chunk.text ?? ""
      last = chunk
    }
    expect(text).toBe(whole.text)
    expect(last?.candidates?.[0]?.content?.parts?.[0]).toMatchObject({ text: "" })
    expect(last?.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toBeTruthy()
    expect(last?.candidates?.[0]?.finishReason).toBe(FinishReason.STOP)
  })

  it("streams a function call in one chunk", async () => {
    const stream = await ai.models.generateContentStream({
      model: "gemini-3.1-flash",
      contents: "weather?",
      config: { tools: [weather] },
    })
    const names = []
    for await (const chunk of stream)
      for (const call of chunk.functionCalls ?? []) names.push(call.name)
    expect(names).toEqual(["weather"])
  })

  it("answers JSON fitting responseJsonSchema when JSON is asked for", async () => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "a city",
      config: {
        responseMimeType: "application/json",
        responseJsonSchema: { type: "object", properties: { name: { type: "string" } } },
      },
    })
    expect(JSON.parse(response.text ?? "")).toEqual({ name: expect.any(String) })
    expect(response.usageMetadata?.candidatesTokenCount).toBe(countTokens(response.text ?? ""))
  })

  it("reports cached prompt tokens asked for by header", async () => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "one two three four",
      config: { httpOptions: { headers: { "x-emulator-cached-tokens": "2" } } },
    })
    expect(response.usageMetadata?.cachedContentTokenCount).toBe(2)
  })

  it("answers a missing key with Google's API_KEY_INVALID error", async () => {
    const response = await fetch(`${emu.geminiBaseUrl}/models/gemini-2.5-flash:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ parts: [{ text: "x" }] }] }),
    })
    const body = (await response.json()) as {
      error: { status: string; details: Array<{ reason: string }> }
    }
    expect(response.status).toBe(400)
    expect(body.error.status).toBe("INVALID_ARGUMENT")
    expect(body.error.details[0]?.reason).toBe("API_KEY_INVALID")
  })
})

describe("Gemini faults", () => {
  const errorBody = (error: ApiError | undefined) => JSON.parse(error?.message ?? "{}")

  it("sends 429 RESOURCE_EXHAUSTED with a RetryInfo delay", async () => {
    const error = await fail(
      ai.models.generateContent({ model: "gemini-2.5-flash~rate-limit=1", contents: "x" }),
    )
    expect(error?.status).toBe(429)
    const details = errorBody(error).error.details
    expect(details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "1s",
    })
  })

  it("sends a used-up daily quota as a 429 naming a per-day quota", async () => {
    emu.enqueueFault({ kind: "quota" }, { model: "gemini-2.5-flash" })
    const error = await fail(
      ai.models.generateContent({ model: "gemini-2.5-flash", contents: "x" }),
    )
    const quota = errorBody(error).error.details.find((d: { "@type": string }) =>
      d["@type"].endsWith("QuotaFailure"),
    )
    expect(error?.status).toBe(429)
    expect(quota.violations[0].quotaId).toContain("PerDay")
  })

  it("blocks a prompt with promptFeedback and no candidates", async () => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: "x",
      config: { httpOptions: { headers: { "x-emulator-fault": "blocked" } } },
    })
    expect(response.promptFeedback?.blockReason).toBe("SAFETY")
    expect(response.candidates).toBeUndefined()
  })

  it("ends a malformed function call with MALFORMED_FUNCTION_CALL, streamed too", async () => {
    const whole = await ai.models.generateContent({
      model: "gemini-2.5-flash~malformed-tool-call",
      contents: "x",
      config: { tools: [weather] },
    })
    expect(whole.candidates?.[0]?.finishReason).toBe(FinishReason.MALFORMED_FUNCTION_CALL)

    const stream = await ai.models.generateContentStream({
      model: "gemini-2.5-flash~malformed-tool-call",
      contents: "x",
    })
    const reasons = []
    for await (const chunk of stream) reasons.push(chunk.candidates?.[0]?.finishReason)
    expect(reasons).toEqual([FinishReason.MALFORMED_FUNCTION_CALL])
  })

  it("sends 503 UNAVAILABLE for an overloaded model", async () => {
    const error = await fail(
      ai.models.generateContent({
        model: "gemini-2.5-flash",
        contents: "x",
        config: { httpOptions: { headers: { "x-emulator-fault": "overloaded" } } },
      }),
    )
    expect(error?.status).toBe(503)
    expect(errorBody(error).error.status).toBe("UNAVAILABLE")
  })
})
