import { requireShared } from "@tollgate/emulator/shared-fixtures"
import { beforeAll, describe, expect, it } from "vitest"
import { assertMatchesSpec, loadOpenAiSpec, normaliseNullable } from "./openai-spec.ts"

describe("normaliseNullable", () => {
  it("turns nullable types, enums and refs into JSON Schema unions", () => {
    expect(
      normaliseNullable({
        properties: {
          a: { type: "string", enum: ["x"], nullable: true },
          b: { $ref: "#/x", nullable: true, description: "d" },
        },
      }),
    ).toEqual({
      properties: {
        a: { type: ["string", "null"], enum: ["x", null] },
        b: { description: "d", anyOf: [{ $ref: "#/x" }, { type: "null" }] },
      },
    })
  })
})

describe.runIf(requireShared())("assertMatchesSpec", () => {
  beforeAll(loadOpenAiSpec, 60_000)

  it("accepts an OpenAI error body and rejects one without its fields", () => {
    const body = { error: { message: "m", type: "invalid_request_error", param: null, code: null } }
    expect(() => assertMatchesSpec("ErrorResponse", body)).not.toThrow()
    expect(() => assertMatchesSpec("ErrorResponse", { error: { message: "m" } })).toThrow(
      /not a valid ErrorResponse/,
    )
  })

  it("accepts a chunk whose finish_reason and usage are null", () => {
    const chunk = {
      id: "c",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null, logprobs: null }],
      usage: null,
    }
    expect(() => assertMatchesSpec("CreateChatCompletionStreamResponse", chunk)).not.toThrow()
  })
})
