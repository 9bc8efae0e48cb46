import { Effect } from "effect"
import type { z } from "zod"
import { badRequest, type RequestError } from "../errors/request-error.ts"
import { ChatRequest } from "../openai/chat-schemas.ts"

/** `["messages", 0, "role"]` -> `messages[0].role`, the form OpenAI puts in `param`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("")

const describe = (issue: z.core.$ZodIssue): string => {
  const where = formatPath(issue.path)
  return where === "" ? issue.message : `Invalid value for '${where}': ${issue.message}`
}

/** Parses a client's body as a chat request; a 400 names the first bad field in `param`. */
export const validateRequest = (body: unknown): Effect.Effect<ChatRequest, RequestError> =>
  Effect.suspend(() => {
    const parsed = ChatRequest.safeParse(body)
    if (parsed.success) return Effect.succeed(parsed.data)

    const issue = parsed.error.issues[0]
    if (issue === undefined) return Effect.fail(badRequest("Invalid request body."))
    const param = formatPath(issue.path)
    return Effect.fail(badRequest(describe(issue), param === "" ? null : param, "invalid_value"))
  })
