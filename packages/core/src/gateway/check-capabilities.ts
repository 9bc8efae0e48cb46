import { Effect } from "effect"
import type { ModelInfo } from "../catalog/types.ts"
import { badRequest, type RequestError } from "../errors/request-error.ts"
import type { ChatRequest } from "../openai/chat-schemas.ts"

const usesImages = (request: ChatRequest): number | undefined => {
  const index = request.messages.findIndex(
    (m) => Array.isArray(m.content) && m.content.some((p) => p.type === "image_url"),
  )
  return index === -1 ? undefined : index
}

/** The `max_tokens` the client asked for, whichever of the two names it used. */
export const requestedMaxTokens = (request: ChatRequest): number | undefined =>
  request.max_completion_tokens ?? request.max_tokens ?? undefined

/**
 * Refuses, before anything is spent, what the model cannot do: tools, images, JSON schema,
 * more output than it can produce, a prompt (`promptTokens`, counted once by the caller) larger
 * than its context window.
 */
export const checkCapabilities = (
  request: ChatRequest,
  model: ModelInfo,
  promptTokens: number,
): Effect.Effect<void, RequestError> =>
  Effect.suspend(() => {
    const caps = model.capabilities
    if (!caps.tools && request.tools != null && request.tools.length > 0) {
      return Effect.fail(
        badRequest(`Model ${model.id} does not support tools.`, "tools", "unsupported_parameter"),
      )
    }

    const image = usesImages(request)
    if (!caps.vision && image !== undefined) {
      return Effect.fail(
        badRequest(
          `Model ${model.id} does not accept images.`,
          `messages[${image}].content`,
          "unsupported_content",
        ),
      )
    }

    if (!caps.jsonSchema && request.response_format?.type === "json_schema") {
      return Effect.fail(
        badRequest(
          `Model ${model.id} does not support response_format json_schema.`,
          "response_format",
          "unsupported_parameter",
        ),
      )
    }

    const maxTokens = requestedMaxTokens(request)
    if (maxTokens !== undefined && maxTokens > model.maxOutputTokens) {
      const param = request.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens"
      return Effect.fail(
        badRequest(
          `${param} is too large: ${maxTokens}. Model ${model.id} supports at most ` +
            `${model.maxOutputTokens} completion tokens.`,
          param,
          "invalid_value",
        ),
      )
    }

    const prompt = promptTokens
    if (prompt + (maxTokens ?? 0) > model.contextWindow) {
      return Effect.fail(
        badRequest(
          `This model's maximum context length is ${model.contextWindow} tokens. However, you ` +
            `requested about ${prompt + (maxTokens ?? 0)} tokens (${prompt} in the messages, ` +
            `${maxTokens ?? 0} in the completion).`,
          "messages",
          "context_length_exceeded",
        ),
      )
    }

    return Effect.void
  })
