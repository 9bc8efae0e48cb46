import type { FinishReason } from "../../openai/chat-schemas.ts"

/** A Gemini finish reason in OpenAI terms, or `invalid` for output that must fail the request. */
export type MappedFinish = { readonly finish: FinishReason } | { readonly invalid: string }

const filtered = new Set([
  "SAFETY",
  "BLOCKLIST",
  "RECITATION",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
])

/** The model tried to call a tool and produced something unusable: never an empty success. */
const invalid = new Set(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS"])

/**
 * Map Gemini's `finishReason`. Gemini says `STOP` after a function call, so whether the
 * candidate called a tool decides between `tool_calls` and `stop`.
 */
export const mapFinishReason = (reason: string | undefined, calledTool: boolean): MappedFinish => {
  if (reason !== undefined && invalid.has(reason)) return { invalid: reason }
  if (reason !== undefined && filtered.has(reason)) return { finish: "content_filter" }
  if (reason === "MAX_TOKENS") return { finish: "length" }
  return { finish: calledTool ? "tool_calls" : "stop" }
}
