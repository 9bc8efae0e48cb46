import type { GeminiPartialArg } from "./gemini-schemas.ts"

type Json = Record<string, unknown>
type Key = string | number
type Container = Json | Array<unknown>

const isContainer = (value: unknown): value is Container =>
  typeof value === "object" && value !== null

const read = (node: Container, key: Key): unknown =>
  Array.isArray(node) ? (typeof key === "number" ? node[key] : undefined) : node[String(key)]

const write = (node: Container, key: Key, value: unknown): void => {
  if (!Array.isArray(node)) node[String(key)] = value
  else if (typeof key === "number") node[key] = value
}

/**
 * Arguments of a function call Gemini streams piece by piece (`partialArgs`): each piece sets
 * one JSON path; a string whose piece says `willContinue` goes on in the next piece.
 */
export interface PartialArgs {
  readonly args: Json
  /** Paths whose string value is still being streamed. */
  readonly open: Set<string>
}

/** An empty accumulator. */
export const emptyPartialArgs = (): PartialArgs => ({ args: {}, open: new Set() })

/** `$.a.b[0]['c d']` -> `["a", "b", 0, "c d"]`; `undefined` for paths it cannot read. */
export const parseJsonPath = (path: string): ReadonlyArray<Key> | undefined => {
  if (!path.startsWith("$")) return undefined
  const keys: Array<Key> = []
  const token = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y
  token.lastIndex = 1
  while (token.lastIndex < path.length) {
    const match = token.exec(path)
    if (match === null) return undefined
    if (match[1] !== undefined) keys.push(match[1])
    else if (match[2] !== undefined) keys.push(Number(match[2]))
    else keys.push((match[3] ?? match[4] ?? "").replace(/\\(.)/g, "$1"))
  }
  return keys
}

const pieceValue = (arg: GeminiPartialArg): { readonly value: unknown } | undefined => {
  if (arg.stringValue !== undefined) return { value: arg.stringValue }
  if (arg.numberValue !== undefined) return { value: arg.numberValue }
  if (arg.boolValue !== undefined) return { value: arg.boolValue }
  if (arg.nullValue !== undefined) return { value: null }
  return undefined
}

/** Apply one streamed piece; pieces with an unreadable path or no value are skipped. */
export const applyPartialArg = (acc: PartialArgs, arg: GeminiPartialArg): void => {
  const path = arg.jsonPath ?? ""
  const keys = parseJsonPath(path)
  const piece = pieceValue(arg)
  if (keys === undefined || keys.length === 0 || piece === undefined) return

  let node: Container = acc.args
  for (const [i, key] of keys.slice(0, -1).entries()) {
    const next = read(node, key)
    if (isContainer(next)) node = next
    else {
      const created: Container = typeof keys[i + 1] === "number" ? [] : {}
      write(node, key, created)
      node = created
    }
  }

  const last = keys.at(-1) ?? ""
  const current = read(node, last)
  const appending = acc.open.has(path) && typeof current === "string"
  write(
    node,
    last,
    appending && typeof piece.value === "string" ? current + piece.value : piece.value,
  )
  if (arg.willContinue === true) acc.open.add(path)
  else acc.open.delete(path)
}
