import { readFileSync } from "node:fs"
import { join } from "node:path"
import { sharedDir } from "@tollgate/emulator/shared-fixtures"
import { Ajv, type ValidateFunction } from "ajv"
import addFormatsModule from "ajv-formats"
import { parse } from "yaml"

/** The schemas the server's responses are checked against, by their name in the spec. */
export type SpecSchema =
  | "CreateChatCompletionResponse"
  | "CreateChatCompletionStreamResponse"
  | "ErrorResponse"
  | "ListModelsResponse"
  | "Model"

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const isObject = (value: Json): value is { [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * OpenAPI 3.0's `nullable: true` in JSON Schema terms (the spec mixes it with 3.1's
 * `type: "null"`): a typed node gains `"null"` in its type (and enum), a `$ref` becomes
 * `anyOf [$ref, null]`. Applied recursively; everything else is left as written.
 */
export const normaliseNullable = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(normaliseNullable)
  if (!isObject(node)) return node

  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(node)) {
    if (key !== "nullable") out[key] = normaliseNullable(value)
  }
  if (node.nullable !== true) return out

  if (typeof out.$ref === "string") {
    const { $ref, ...rest } = out
    return { ...rest, anyOf: [{ $ref }, { type: "null" }] }
  }
  if (typeof out.type === "string") out.type = [out.type, "null"]
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
  return out
}

/** Every `format` the spec uses, so the unknown ones (`unixtime`) can be accepted as is. */
const formatsIn = (node: Json, found = new Set<string>()): Set<string> => {
  if (Array.isArray(node)) for (const item of node) formatsIn(item, found)
  else if (isObject(node)) {
    if (typeof node.format === "string") found.add(node.format)
    for (const value of Object.values(node)) formatsIn(value, found)
  }
  return found
}

// ajv-formats is CommonJS with a default export; under Node's ESM interop it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as typeof addFormatsModule.default

let validators: Map<SpecSchema, ValidateFunction> | undefined

const load = (): Map<SpecSchema, ValidateFunction> => {
  const spec = parse(readFileSync(join(sharedDir, "specs", "openai-openapi.yaml"), "utf8")) as {
    components: { schemas: Json }
  }
  const schemas = normaliseNullable(spec.components.schemas)

  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false })
  addFormats(ajv)
  for (const format of formatsIn(schemas)) {
    if (!ajv.formats[format]) ajv.addFormat(format, true)
  }
  ajv.addSchema({ $id: "openai", components: { schemas } })

  const names: ReadonlyArray<SpecSchema> = [
    "CreateChatCompletionResponse",
    "CreateChatCompletionStreamResponse",
    "ErrorResponse",
    "ListModelsResponse",
    "Model",
  ]
  return new Map(
    names.map((name) => {
      const validate = ajv.getSchema(`openai#/components/schemas/${name}`)
      if (validate === undefined) throw new Error(`schema ${name} not found in the spec`)
      return [name, validate]
    }),
  )
}

/**
 * Parses and compiles the spec (a 3 MB YAML file: seconds on a busy machine). Call it from a
 * `beforeAll` with a generous timeout so that no single test pays for it.
 */
export const loadOpenAiSpec = (): void => {
  validators ??= load()
}

/**
 * Throws, listing every violation, unless `value` validates against the named schema of the
 * OpenAI OpenAPI spec in `../shared`. Callers check `requireShared()` first.
 */
export const assertMatchesSpec = (name: SpecSchema, value: unknown): void => {
  validators ??= load()
  const validate = validators.get(name)
  if (validate === undefined) throw new Error(`no validator for ${name}`)
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`)
    throw new Error(`not a valid ${name}: ${problems.join("; ")}\n${JSON.stringify(value)}`)
  }
}
