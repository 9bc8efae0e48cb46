import { describe, expect, it } from "@effect/vitest"
import { toGeminiSchema } from "./convert-json-schema.ts"

describe("JSON Schema to Gemini's Schema", () => {
  it("turns anyOf with null into a nullable schema and oneOf into anyOf", () => {
    expect(
      toGeminiSchema({
        type: "object",
        properties: {
          a: { anyOf: [{ type: "string", format: "email" }, { type: "null" }], description: "A" },
          b: { oneOf: [{ type: "string" }, { type: "number", format: "double" }] },
        },
      }),
    ).toEqual({
      type: "object",
      properties: {
        a: { type: "string", nullable: true, description: "A" },
        b: { anyOf: [{ type: "string" }, { type: "number", format: "double" }] },
      },
    })
  })

  it("stops following a recursive $ref instead of looping", () => {
    const schema = toGeminiSchema({
      $ref: "#/definitions/Node",
      definitions: {
        Node: {
          type: "object",
          properties: { child: { $ref: "#/definitions/Node" }, name: { type: "string" } },
        },
      },
    })
    expect(JSON.stringify(schema)).not.toContain("$ref")
    expect(schema).toMatchObject({ type: "object", properties: { name: { type: "string" } } })
  })

  it("merges allOf members and drops keys Gemini rejects", () => {
    expect(
      toGeminiSchema({
        allOf: [
          { type: "object", properties: { x: { type: "integer", multipleOf: 2 } } },
          { properties: { y: { type: "string", const: "k" } }, required: ["y", "ghost"] },
        ],
        unevaluatedProperties: false,
        $comment: "internal",
      }),
    ).toEqual({
      type: "object",
      properties: { x: { type: "integer" }, y: { type: "string", enum: ["k"] } },
      required: ["y"],
    })
  })

  it("drops a numeric enum Gemini cannot express", () => {
    expect(toGeminiSchema({ type: "integer", enum: [1, 2] })).toEqual({ type: "integer" })
  })
})
