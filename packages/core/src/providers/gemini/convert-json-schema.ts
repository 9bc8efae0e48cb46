/**
 * JSON Schema -> the OpenAPI subset Gemini accepts in `functionDeclarations[].parameters` and
 * `generationConfig.responseSchema` (its `Schema` object). Gemini rejects a request naming any
 * other key, so unknown keys are dropped, `$ref` is inlined, `oneOf` becomes `anyOf`, type arrays
 * and `null` members become `nullable`, `const` becomes a one-value `enum`.
 */

type Json = Record<string, unknown>

/** Keys of Google's `Schema` object (ai.google.dev/api/caching#Schema), kept as they are. */
const passThroughKeys = new Set([
  "title",
  "description",
  "nullable",
  "default",
  "example",
  "pattern",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "propertyOrdering",
])

/** Formats Gemini accepts, per type; JSON Schema's others (`email`, `uri`, ...) are dropped. */
const formatsByType: Record<string, ReadonlySet<string>> = {
  string: new Set(["enum", "date-time"]),
  number: new Set(["float", "double"]),
  integer: new Set(["int32", "int64"]),
}

/** Beyond this nesting `$ref`s are not followed any more, so recursive schemas terminate. */
const maxRefDepth = 8

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const resolveRef = (root: Json, ref: string): Json | undefined => {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref)
  if (match === null) return undefined
  const defs = root[match[1] ?? ""]
  const name = decodeURIComponent(match[2] ?? "")
    .replace(/~1/g, "/")
    .replace(/~0/g, "~")
  const target = isObject(defs) ? defs[name] : undefined
  return isObject(target) ? target : undefined
}

const isNullSchema = (value: unknown): boolean => isObject(value) && value.type === "null"

/** Convert a JSON Schema into Gemini's subset; `undefined` when nothing usable remains. */
export const toGeminiSchema = (schema: unknown): Json | undefined =>
  isObject(schema) ? convert(schema, schema, 0) : undefined

const convert = (node: Json, root: Json, depth: number): Json => {
  if (typeof node.$ref === "string") {
    const target = depth < maxRefDepth ? resolveRef(root, node.$ref) : undefined
    const { $ref: _ref, ...rest } = node
    if (target === undefined) return { type: "object", ...convertKeys(rest, root, depth) }
    return convert({ ...target, ...rest }, root, depth + 1)
  }

  if (Array.isArray(node.allOf)) {
    const { allOf, ...rest } = node
    return convert(allOf.filter(isObject).reduce(mergeSchemas, rest), root, depth)
  }

  return convertKeys(node, root, depth)
}

const mergeSchemas = (into: Json, next: Json): Json => ({
  ...into,
  ...next,
  ...(isObject(into.properties) || isObject(next.properties)
    ? { properties: { ...asObject(into.properties), ...asObject(next.properties) } }
    : {}),
  ...(Array.isArray(into.required) || Array.isArray(next.required)
    ? { required: [...asArray(into.required), ...asArray(next.required)] }
    : {}),
})

const asObject = (value: unknown): Json => (isObject(value) ? value : {})
const asArray = (value: unknown): ReadonlyArray<unknown> => (Array.isArray(value) ? value : [])

const convertKeys = (node: Json, root: Json, depth: number): Json => {
  const out: Json = {}

  for (const [key, value] of Object.entries(node))
    if (passThroughKeys.has(key) && value !== undefined) out[key] = value

  if (out.example === undefined && Array.isArray(node.examples) && node.examples.length > 0)
    out.example = node.examples[0]

  applyType(node, out)

  const union = Array.isArray(node.anyOf) ? node.anyOf : node.oneOf
  if (Array.isArray(union)) applyUnion(union, out, root, depth)

  applyEnum(node, out)

  if (typeof node.format === "string" && typeof out.type === "string")
    if (formatsByType[out.type]?.has(node.format) === true) out.format = node.format

  if (isObject(node.properties)) {
    const properties: Json = {}
    for (const [name, child] of Object.entries(node.properties))
      if (isObject(child)) properties[name] = convert(child, root, depth)
    // Gemini rejects an empty `properties` object, so a free-form object carries none.
    if (Object.keys(properties).length > 0) {
      out.properties = properties
      const required = asArray(node.required).filter(
        (name): name is string => typeof name === "string" && name in properties,
      )
      if (required.length > 0) out.required = required
    }
    out.type ??= "object"
  }

  if (isObject(node.items)) out.items = convert(node.items, root, depth)
  else if (Array.isArray(node.items) && isObject(node.items[0]))
    out.items = convert(node.items[0], root, depth)

  return out
}

const applyType = (node: Json, out: Json): void => {
  if (typeof node.type === "string") {
    if (node.type === "null") out.nullable = true
    else out.type = node.type
    return
  }
  if (!Array.isArray(node.type)) return
  const types = node.type.filter((t): t is string => typeof t === "string")
  const concrete = types.filter((t) => t !== "null")
  if (concrete.length < types.length) out.nullable = true
  if (concrete.length === 1) out.type = concrete[0]
  else if (concrete.length > 1) out.anyOf = concrete.map((type) => ({ type }))
}

const applyUnion = (
  members: ReadonlyArray<unknown>,
  out: Json,
  root: Json,
  depth: number,
): void => {
  const concrete = members.filter((m) => isObject(m) && !isNullSchema(m))
  if (concrete.length < members.length) out.nullable = true
  const converted = concrete.filter(isObject).map((m) => convert(m, root, depth))
  // A single remaining member is the whole schema: `anyOf: [X, null]` is a nullable X.
  if (converted.length === 1) Object.assign(out, { ...converted[0], ...pickDefined(out) })
  else if (converted.length > 1) out.anyOf = converted
}

const pickDefined = (value: Json): Json =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))

const applyEnum = (node: Json, out: Json): void => {
  const values = Array.isArray(node.enum) ? node.enum : "const" in node ? [node.const] : undefined
  if (values === undefined) return
  if (values.includes(null)) out.nullable = true
  const present = values.filter((v) => v !== null)
  // Gemini's enums are strings only; a numeric enum cannot be expressed and is dropped.
  if (present.length > 0 && present.every((v) => typeof v === "string")) {
    out.enum = present
    out.type ??= "string"
  }
}
