import type { ChatWire } from "../serve-chat.ts"
import { answerGemini } from "./answer-gemini.ts"
import { geminiError, geminiFaultError, geminiKeyError } from "./gemini-errors.ts"
import { thinkingConfigError } from "./gemini-thinking.ts"
import { GeminiRequest } from "./read-gemini-request.ts"

const pathPattern =
  /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(generateContent|streamGenerateContent)$/

type Request = GeminiRequest & { stream: boolean; sse: boolean }

/** The Gemini `generateContent` / `streamGenerateContent` wire format. */
export const geminiWire: ChatWire<Request> = {
  parse: (exchange, body) => {
    const url = exchange.req.url ?? ""
    const queryAt = url.indexOf("?")
    const path = queryAt < 0 ? url : url.slice(0, queryAt)
    const query = new URLSearchParams(queryAt < 0 ? "" : url.slice(queryAt + 1))
    const match = pathPattern.exec(path)
    if (match === null) return geminiError(404, `Unknown method: ${path}`)
    const model = decodeURIComponent(match[1] ?? "")
    const stream = match[2] === "streamGenerateContent"
    exchange.record.model = model
    exchange.record.stream = stream

    // Google takes the key from the header or the `key` query parameter:
    const key = exchange.req.headers["x-goog-api-key"] ?? query.get("key")
    if (typeof key !== "string" || key === "") return geminiKeyError()

    const parsed = GeminiRequest.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return geminiError(
        400,
        `Invalid value at '${issue?.path.join(".") ?? ""}': ${issue?.message ?? "invalid"}`,
      )
    }
    const thinkingError = thinkingConfigError(
      model.split("~")[0] ?? model,
      parsed.data.generationConfig?.thinkingConfig,
    )
    if (thinkingError !== undefined) return geminiError(400, thinkingError)

    return { request: { ...parsed.data, stream, sse: query.get("alt") === "sse" }, model, stream }
  },
  faultError: geminiFaultError,
  badRequest: (message) => geminiError(400, message),
  answer: answerGemini,
}
