import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { ChatRequest } from "../../openai/chat-schemas.ts"
import type { RequestControls } from "../adapter.ts"
import { convertRequest } from "./convert-request.ts"
import { gemini3Flash, gemini25Flash, gemini25Pro, geminiCall } from "./test-support.ts"

const convert = (request: Partial<ChatRequest>, options: Parameters<typeof geminiCall>[1] = {}) =>
  convertRequest(geminiCall(request, options))

describe("Gemini request body", () => {
  it.effect("puts leading system and developer messages in systemInstruction", () =>
    Effect.gen(function* () {
      const { body } = yield* convert({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
          { role: "user", content: "Hello" },
        ],
      })
      expect(body.systemInstruction).toEqual({
        parts: [{ text: "Be brief." }, { text: "Answer in French." }],
      })
      expect(body.contents).toEqual([{ role: "user", parts: [{ text: "Hello" }] }])
    }),
  )

  it.effect("merges neighbours of the same role and names the assistant model", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* convert({
        messages: [
          { role: "user", content: "One" },
          { role: "user", content: "Two" },
          { role: "assistant", content: "Three" },
          { role: "system", content: "Late rule" },
          { role: "user", content: "Four" },
        ],
      })
      expect(body.contents).toEqual([
        { role: "user", parts: [{ text: "One" }, { text: "Two" }] },
        { role: "model", parts: [{ text: "Three" }] },
        { role: "user", parts: [{ text: "Late rule" }, { text: "Four" }] },
      ])
      expect(warnings).toHaveLength(1)
    }),
  )

  it.effect("sends data URL images inline and https images as files typed by extension", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* convert({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Compare" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.JPG?x=1" } },
              { type: "image_url", image_url: { url: "https://example.com/image" } },
            ],
          },
        ],
      })
      expect(body.contents).toEqual([
        {
          role: "user",
          parts: [
            { text: "Compare" },
            { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.JPG?x=1" } },
            { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/image" } },
          ],
        },
      ])
      expect(warnings).toEqual([
        "messages[0].content[3]: MIME type of the image URL unknown, sent to Gemini as image/jpeg",
      ])
    }),
  )

  it.effect("rejects a part Gemini cannot take instead of dropping it", () =>
    Effect.gen(function* () {
      const error = yield* convert({
        messages: [{ role: "user", content: [{ type: "refusal_probe" }] }],
      }).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "BadRequest", param: "messages[0].content[0]" })
    }),
  )

  it.effect("declares tools with schemas Gemini accepts and maps tool_choice", () =>
    Effect.gen(function* () {
      const { body } = yield* convert({
        tools: [
          {
            type: "function",
            function: {
              name: "weather",
              description: "Weather for a city",
              parameters: {
                $schema: "http://json-schema.org/draft-07/schema#",
                type: "object",
                additionalProperties: false,
                properties: {
                  location: { type: "string", examples: ["Paris"] },
                  unit: { $ref: "#/$defs/Unit" },
                  days: { type: ["integer", "null"], exclusiveMinimum: 0 },
                },
                required: ["location"],
                $defs: { Unit: { type: "string", enum: ["c", "f"], default: "c" } },
              },
            },
          },
          { type: "function", function: { name: "now", parameters: { type: "object" } } },
        ],
        tool_choice: { type: "function", function: { name: "weather" } },
      })
      expect(body.tools).toEqual([
        {
          functionDeclarations: [
            {
              name: "weather",
              description: "Weather for a city",
              parameters: {
                type: "object",
                properties: {
                  location: { type: "string", example: "Paris" },
                  unit: { type: "string", enum: ["c", "f"], default: "c" },
                  days: { type: "integer", nullable: true },
                },
                required: ["location"],
              },
            },
            { name: "now" },
          ],
        },
      ])
      expect(body.toolConfig).toEqual({
        functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] },
      })
    }),
  )

  it.effect("maps auto, required and none to Gemini's calling modes", () =>
    Effect.gen(function* () {
      const tools: ChatRequest["tools"] = [{ type: "function", function: { name: "f" } }]
      for (const [choice, mode] of [
        ["auto", "AUTO"],
        ["required", "ANY"],
        ["none", "NONE"],
      ] as const) {
        const { body } = yield* convert({ tools, tool_choice: choice })
        expect(body.toolConfig).toEqual({ functionCallingConfig: { mode } })
      }
    }),
  )

  it.effect("recovers a tool result's function name from the earlier call", () =>
    Effect.gen(function* () {
      const { body } = yield* convert(
        {
          messages: [
            { role: "user", content: "Weather?" },
            {
              role: "assistant",
              content: "Checking.",
              tool_calls: [
                { id: "a1", type: "function", function: { name: "weather", arguments: "{}" } },
                { id: "a2", type: "function", function: { name: "time", arguments: '{"tz":1}' } },
              ],
            },
            { role: "tool", tool_call_id: "a2", content: "12:00" },
            { role: "tool", tool_call_id: "a1", content: '{"sky":"clear"}' },
          ],
        },
        { model: gemini25Flash },
      )
      expect(body.contents).toEqual([
        { role: "user", parts: [{ text: "Weather?" }] },
        {
          role: "model",
          parts: [
            { text: "Checking." },
            { functionCall: { name: "weather", args: {} } },
            { functionCall: { name: "time", args: { tz: 1 } } },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "time", response: { output: "12:00" } } },
            { functionResponse: { name: "weather", response: { sky: "clear" } } },
          ],
        },
      ])
    }),
  )

  it.effect("fails a tool result that answers no earlier call", () =>
    Effect.gen(function* () {
      const error = yield* convert({
        messages: [
          { role: "user", content: "Hi" },
          { role: "tool", tool_call_id: "ghost", content: "x" },
        ],
      }).pipe(Effect.flip)
      expect(error.reason).toEqual({ _tag: "BadRequest", param: "messages[1].tool_call_id" })
    }),
  )

  it.effect("marks an unsigned Gemini 3 function call with Google's skip value", () =>
    Effect.gen(function* () {
      const messages: ChatRequest["messages"] = [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_x", type: "function", function: { name: "weather", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "call_x", content: "sunny" },
      ]
      const gemini3 = yield* convert({ messages }, { model: gemini3Flash })
      expect(gemini3.body.contents).toMatchObject([
        {},
        { parts: [{ thoughtSignature: "skip_thought_signature_validator" }] },
        {},
      ])
      expect(gemini3.warnings).toHaveLength(1)

      const gemini25 = yield* convert({ messages }, { model: gemini25Flash })
      expect(gemini25.body.contents).toMatchObject([
        {},
        { parts: [{ functionCall: { name: "weather", args: {} } }] },
        {},
      ])
      expect(JSON.stringify(gemini25.body)).not.toContain("thoughtSignature")
    }),
  )

  it.effect("reads a signature sent back in Google's extra_content convention", () =>
    Effect.gen(function* () {
      const { body } = yield* convert({
        messages: [
          { role: "user", content: "Weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "c1",
                type: "function",
                function: { name: "weather", arguments: "{}" },
                extra_content: { google: { thought_signature: "c2lnbmF0dXJl" } },
              },
            ],
          },
        ],
      })
      expect(body.contents).toMatchObject([{}, { parts: [{ thoughtSignature: "c2lnbmF0dXJl" }] }])
    }),
  )

  it.effect("translates sampling, stop, n, seed and penalties into generationConfig", () =>
    Effect.gen(function* () {
      const { body } = yield* convert({
        temperature: 0.3,
        top_p: 0.9,
        max_tokens: 100,
        max_completion_tokens: 200,
        stop: "END",
        n: 2,
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
      })
      expect(body.generationConfig).toEqual({
        temperature: 0.3,
        topP: 0.9,
        maxOutputTokens: 200,
        stopSequences: ["END"],
        candidateCount: 2,
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: -0.5,
      })
    }),
  )

  it.effect("asks for JSON for json_object and a schema for json_schema", () =>
    Effect.gen(function* () {
      const object = yield* convert({ response_format: { type: "json_object" } })
      expect(object.body.generationConfig).toEqual({ responseMimeType: "application/json" })

      const schema = yield* convert({
        response_format: {
          type: "json_schema",
          json_schema: {
            name: "answer",
            strict: true,
            schema: {
              type: "object",
              properties: { n: { type: "number" }, tags: { type: "array", items: { const: "x" } } },
              required: ["n"],
              additionalProperties: false,
            },
          },
        },
      })
      expect(schema.body.generationConfig).toEqual({
        responseMimeType: "application/json",
        responseSchema: {
          type: "object",
          properties: {
            n: { type: "number" },
            tags: { type: "array", items: { type: "string", enum: ["x"] } },
          },
          required: ["n"],
        },
      })
    }),
  )

  it.effect("sends the speed-mode thinking config and the response modality", () =>
    Effect.gen(function* () {
      const controls: RequestControls = { speed: true, includeReasoning: false }
      const { body } = yield* convert(
        { generation_config: { thinking_mode: "speed", response_modality: "text" } },
        { model: gemini25Pro, controls },
      )
      expect(body.generationConfig).toEqual({
        responseModalities: ["TEXT"],
        thinkingConfig: { thinkingBudget: 128 },
      })
    }),
  )

  it.effect("reports parameters Gemini cannot honour", () =>
    Effect.gen(function* () {
      const { warnings } = yield* convert({
        logit_bias: { "42": 1 },
        parallel_tool_calls: false,
        tools: [{ type: "function", function: { name: "f" } }],
      })
      expect(warnings).toEqual([
        "parallel_tool_calls=false cannot be enforced on Gemini",
        "logit_bias is not supported by Gemini and was ignored",
      ])
    }),
  )

  it.effect("sends a conversation of system messages only as a user turn", () =>
    Effect.gen(function* () {
      const { body } = yield* convert({ messages: [{ role: "system", content: "Say hi." }] })
      expect(body.systemInstruction).toBeUndefined()
      expect(body.contents).toEqual([{ role: "user", parts: [{ text: "Say hi." }] }])
    }),
  )

  it.effect("sends an assistant refusal back as its text", () =>
    Effect.gen(function* () {
      const { body } = yield* convert({
        messages: [
          { role: "user", content: "Do the bad thing" },
          { role: "assistant", content: [{ type: "refusal", refusal: "I can't." }] },
          { role: "user", content: "Fine" },
        ],
      })
      expect(body.contents).toMatchObject([
        {},
        { role: "model", parts: [{ text: "I can't." }] },
        {},
      ])
    }),
  )
})
