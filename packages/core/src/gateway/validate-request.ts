import { Effect } from "effect"
import type { z } from "zod"
import { badRequest, type RequestError } from "../errors/request-error.ts"
import { ChatRequest } from "../openai/chat-schemas.ts"
import { findTooDeepField, MAX_JSON_DEPTH } from "./find-too-deep-field.ts"

/** `["messages", 0, "role"]` -> `messages[0].role`, the form OpenAI puts in `param`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("")

const describe = (issue: z.core.$ZodIssue): string => {
  const where = formatPath(issue.path)
  return where === "" ? issue.message : `Invalid value for '${where}': ${issue.message}`
}

/** `body`'s field nested too deep to handle safely (every later step recurses), if any. */
const tooDeepField = (body: unknown): string | undefined =>
  typeof body === "object" && body !== null && !Array.isArray(body)
    ? findTooDeepField(body)
    : undefined

/**
 * Parses a client's body as a chat request; a 400 names the first bad field in `param`. A field
 * nested over MAX_JSON_DEPTH levels is refused first, before zod or JSON.stringify recurse on it.
 */
export const validateRequest = (body: unknown): Effect.Effect<ChatRequest, RequestError> =>
  Effect.suspend(() => {
    const deep = tooDeepField(body)
    if (deep !== undefined) {
      const message = `Invalid value for '${deep}': nested more than ${MAX_JSON_DEPTH} levels deep.`
      return Effect.fail(badRequest(message, deep, "invalid_value"))
    }

    const parsed = ChatRequest.safeParse(body)
    if (parsed.success) return Effect.succeed(parsed.data)

    const issue = parsed.error.issues[0]
    if (issue === undefined) return Effect.fail(badRequest("Invalid request body."))
    const param = formatPath(issue.path)
    return Effect.fail(badRequest(describe(issue), param === "" ? null : param, "invalid_value"))
  })
