import type { ChatWire } from "../serve-chat.ts"
import { answerAnthropic } from "./answer-anthropic.ts"
import { anthropicError, anthropicFaultError } from "./anthropic-errors.ts"
import { AnthropicRequest } from "./read-anthropic-request.ts"

/** The Anthropic Messages wire format (`POST /v1/messages`). */
export const anthropicWire: ChatWire<AnthropicRequest> = {
  parse: (exchange, body) => {
    const { headers } = exchange.req
    const key = headers["x-api-key"] ?? headers.authorization
    if (typeof key !== "string" || key === "") {
      return anthropicError(401, "x-api-key header is required")
    }
    if (typeof headers["anthropic-version"] !== "string") {
      return anthropicError(400, "anthropic-version: header is required")
    }

    const parsed = AnthropicRequest.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      return anthropicError(400, `${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`)
    }
    const request = parsed.data

    // The limits the real API puts on extended thinking:
    const thinking = request.thinking
    if (thinking?.type === "enabled") {
      const budget = thinking.budget_tokens
      if (budget === undefined || budget < 1024) {
        return anthropicError(
          400,
          "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
        )
      }
      if (request.max_tokens <= budget) {
        return anthropicError(400, "`max_tokens` must be greater than `thinking.budget_tokens`.")
      }
    }
    return { request, model: request.model, stream: request.stream === true }
  },
  faultError: (fault) => anthropicFaultError(fault),
  badRequest: (message) => anthropicError(400, message),
  answer: answerAnthropic,
}
