import { describe, expect, it } from "vitest"
import { startEmulator } from "./server.ts"
import { readRecorded, readRecordedChunks, requireShared } from "./shared-fixtures.ts"

const hasShared = requireShared()

type Json = Record<string, unknown>

const asObject = (value: unknown): Json =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {}

// Fields some real payloads carry that the emulator leaves out on purpose (not needed by clients):
const optional = new Set(["obfuscation", "inference_geo", "context_management"])

/** Every key the real payload has (through objects and first array items) is ours too. */
const missingKeys = (real: unknown, ours: unknown, path = ""): string[] => {
  if (Array.isArray(real)) {
    return Array.isArray(ours) && real.length > 0 && ours.length > 0
      ? missingKeys(real[0], ours[0], `${path}[0]`)
      : []
  }
  const realObject = asObject(real)
  const ourObject = asObject(ours)
  return Object.keys(realObject).flatMap((key) => {
    if (optional.has(key)) return []
    if (!(key in ourObject)) return [`${path}.${key}`]
    return missingKeys(realObject[key], ourObject[key], `${path}.${key}`)
  })
}

const post = async (url: string, headers: Record<string, string>, body: unknown) => {
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) })
  return response.text()
}

const sseData = (text: string): unknown[] =>
  text
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)) as unknown)

describe.skipIf(!hasShared)(
  "the emulator's payloads carry every field of the recorded ones",
  () => {
    it("OpenAI completion and stream chunks", async () => {
      const emu = await startEmulator()
      try {
        const request = { model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }
        const whole = JSON.parse(await post(`${emu.openaiBaseUrl}/chat/completions`, {}, request))
        expect(missingKeys(JSON.parse(readRecorded("openai/openai-text.json")), whole)).toEqual([])

        const stream = sseData(
          await post(
            `${emu.openaiBaseUrl}/chat/completions`,
            {},
            {
              ...request,
              stream: true,
              stream_options: { include_usage: true },
            },
          ),
        )
        const recorded = readRecordedChunks("openai/openai-text.chunks.txt")
        expect(missingKeys(recorded[0], stream[0])).toEqual([])
        expect(missingKeys(recorded[recorded.length - 1], stream[stream.length - 1])).toEqual([])
      } finally {
        await emu.close()
      }
    })

    it("Gemini responses, stream chunks and the 429", async () => {
      const emu = await startEmulator()
      try {
        const headers = { "x-goog-api-key": "k" }
        const request = { contents: [{ role: "user", parts: [{ text: "hi" }] }] }
        const base = `${emu.geminiBaseUrl}/models/gemini-3-pro-preview`
        const whole = JSON.parse(await post(`${base}:generateContent`, headers, request))
        const real = JSON.parse(readRecorded("google/google-text.json"))
        expect(missingKeys(real, whole)).toEqual([])

        const stream = sseData(
          await post(`${base}:streamGenerateContent?alt=sse`, headers, request),
        )
        const chunks = readRecordedChunks("google/google-text.chunks.txt")
        expect(missingKeys(chunks[0], stream[0])).toEqual([])
        expect(missingKeys(chunks[chunks.length - 1], stream[stream.length - 1])).toEqual([])

        const tools = {
          ...request,
          tools: [
            {
              functionDeclarations: [
                {
                  name: "weather",
                  parameters: { type: "OBJECT", properties: { location: { type: "STRING" } } },
                },
              ],
            },
          ],
        }
        const call = JSON.parse(await post(`${base}:generateContent`, headers, tools))
        expect(
          missingKeys(JSON.parse(readRecorded("google/google-tool-call-gemini3.json")), call),
        ).toEqual([])

        const limited = JSON.parse(
          await post(
            `${base}:generateContent`,
            { ...headers, "x-emulator-fault": "rate-limit=1" },
            request,
          ),
        )
        const types = (value: unknown) =>
          (asObject(asObject(value).error).details as Json[]).map((detail) => detail["@type"])
        const realTypes = types(JSON.parse(readRecorded("google/google-429-retry-info.json")))
        expect(types(limited)).toEqual(expect.arrayContaining(realTypes))
      } finally {
        await emu.close()
      }
    })

    it("Anthropic messages and stream events", async () => {
      const emu = await startEmulator()
      try {
        const headers = { "x-api-key": "k", "anthropic-version": "2023-06-01" }
        const request = {
          model: "claude-sonnet-4-5",
          max_tokens: 2048,
          thinking: { type: "enabled", budget_tokens: 1024 },
          messages: [{ role: "user", content: "hi" }],
        }
        const url = `${emu.anthropicBaseUrl}/messages`
        const whole = JSON.parse(await post(url, headers, request))
        const real = JSON.parse(readRecorded("anthropic/anthropic-clear-thinking.1.json"))
        expect(missingKeys(real, whole)).toEqual([])

        const events = sseData(await post(url, headers, { ...request, stream: true }))
        const recorded = readRecordedChunks("anthropic/anthropic-clear-thinking.1.chunks.txt")
        const byType = (list: ReadonlyArray<unknown>, type: string) =>
          list.find((event) => asObject(event).type === type)
        for (const type of ["message_start", "content_block_start", "message_delta"]) {
          expect(missingKeys(byType(recorded, type), byType(events, type))).toEqual([])
        }
        const sequence = (list: ReadonlyArray<unknown>) =>
          [...new Set(list.map((event) => String(asObject(event).type)))].join(",")
        expect(sequence(events)).toBe(sequence(recorded))
      } finally {
        await emu.close()
      }
    })
  },
)
