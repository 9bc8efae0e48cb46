import type { ChatWire } from "../serve-chat.ts"
import { answerOpenAI } from "./answer-openai.ts"
import { openaiError, openaiFaultError } from "./openai-errors.ts"
import { isReasoningModel, OpenAIChatRequest } from "./read-openai-request.ts"

/** The OpenAI Chat Completions wire format. */
export const openaiWire: ChatWire<OpenAIChatRequest> = {
  parse: (_exchange, body) => {
    const parsed = OpenAIChatRequest.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const param = issue?.path.join(".") ?? ""
      return openaiError(400, `Invalid value for '${param}': ${issue?.message ?? "invalid"}.`, {
        param,
        code: issue?.code === "invalid_type" ? "invalid_type" : "invalid_value",
      })
    }
    const request = parsed.data
    // Reasoning models refuse the legacy length parameter, as the real API does:
    if (isReasoningModel(request.model) && request.max_tokens != null) {
      return openaiError(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. " +
          "Use 'max_completion_tokens' instead.",
        { param: "max_tokens", code: "unsupported_parameter" },
      )
    }
    return { request, model: request.model, stream: request.stream === true }
  },
  faultError: openaiFaultError,
  badRequest: (message) => openaiError(400, message),
  answer: answerOpenAI,
}
