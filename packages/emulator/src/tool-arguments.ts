import { generateWords } from "./tokens.ts"

type Schema = Record<string, unknown>

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const typeOf = (schema: Schema): string | undefined => {
  const type = schema.type
  if (typeof type === "string") return type.toLowerCase()
  if (Array.isArray(type)) {
    const first = type.find((t) => typeof t === "string" && t.toLowerCase() !== "null")
    return typeof first === "string" ? first.toLowerCase() : undefined
  }
  if (isSchema(schema.properties)) return "object"
  return undefined
}

const valueFor = (schema: Schema, seed: number, depth: number): unknown => {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if (schema.const !== undefined) return schema.const
  const variants = schema.anyOf ?? schema.oneOf
  if (Array.isArray(variants) && isSchema(variants[0])) return valueFor(variants[0], seed, depth)

  switch (typeOf(schema)) {
    case "integer":
      return typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 7
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 42.5
    case "boolean":
      return true
    case "array":
      return depth > 4 || !isSchema(schema.items)
        ? []
        : [valueFor(schema.items, seed + 1, depth + 1)]
    case "object":
      return depth > 4 ? {} : objectFor(schema, seed, depth + 1)
    case "null":
      return null
    default:
      return generateWords(seed, 1)[0] ?? "value"
  }
}

const objectFor = (schema: Schema, seed: number, depth: number): Record<string, unknown> => {
  const properties = isSchema(schema.properties) ? schema.properties : {}
  const result: Record<string, unknown> = {}
  let index = 0
  for (const [name, property] of Object.entries(properties)) {
    result[name] = valueFor(isSchema(property) ? property : {}, seed + index++, depth)
  }
  return result
}

/**
 * Deterministic arguments that fit a tool's JSON schema (also Gemini's upper-case `type` names):
 * every listed property gets a value of its type, the first enum value when there is one.
 */
export const argumentsForSchema = (schema: unknown, seed: number): Record<string, unknown> =>
  isSchema(schema) ? objectFor(schema, seed, 0) : {}
