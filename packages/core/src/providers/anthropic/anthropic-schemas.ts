import { z } from "zod"

/**
 * Loose zod schemas of what the Anthropic Messages API sends back. Unknown fields and unknown
 * block or event types pass, because Anthropic adds them (server tools, citations) without notice.
 */

/** Anthropic's usage object; every count optional, since stream events carry only some. */
export const AnthropicUsage = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
})
export type AnthropicUsage = z.infer<typeof AnthropicUsage>

const TextBlock = z.looseObject({ type: z.literal("text"), text: z.string() })
const ToolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
})
const ThinkingBlock = z.looseObject({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string().optional(),
})
const RedactedThinkingBlock = z.looseObject({
  type: z.literal("redacted_thinking"),
  data: z.string(),
})
const OtherBlock = z.looseObject({ type: z.string() })

/** One content block of a response (or the start of one in a stream). */
export const ContentBlock = z.union([
  TextBlock,
  ToolUseBlock,
  ThinkingBlock,
  RedactedThinkingBlock,
  OtherBlock,
])
export type ContentBlock = z.infer<typeof ContentBlock>

/** A whole non-streaming Messages response. */
export const AnthropicMessage = z.looseObject({
  id: z.string(),
  model: z.string().optional(),
  content: z.array(ContentBlock),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: AnthropicUsage.nullish(),
})
export type AnthropicMessage = z.infer<typeof AnthropicMessage>

const Delta = z.union([
  z.looseObject({ type: z.literal("text_delta"), text: z.string() }),
  z.looseObject({ type: z.literal("input_json_delta"), partial_json: z.string() }),
  z.looseObject({ type: z.literal("thinking_delta"), thinking: z.string() }),
  z.looseObject({ type: z.literal("signature_delta"), signature: z.string() }),
  z.looseObject({ type: z.string() }),
])

/** Anthropic's error object, in an error response body or an `error` stream event. */
export const AnthropicErrorDetail = z.looseObject({
  type: z.string(),
  message: z.string().optional(),
})

/** `{"type":"error","error":{"type","message"}}`. */
export const AnthropicErrorBody = z.looseObject({ error: AnthropicErrorDetail })

/** One SSE event of a streamed Messages response, told apart by `type`. */
export const StreamEvent = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("message_start"),
    message: z.looseObject({
      id: z.string(),
      model: z.string().optional(),
      usage: AnthropicUsage.nullish(),
    }),
  }),
  z.looseObject({
    type: z.literal("content_block_start"),
    index: z.number(),
    content_block: ContentBlock,
  }),
  z.looseObject({ type: z.literal("content_block_delta"), index: z.number(), delta: Delta }),
  z.looseObject({ type: z.literal("content_block_stop"), index: z.number() }),
  z.looseObject({
    type: z.literal("message_delta"),
    delta: z.looseObject({
      stop_reason: z.string().nullish(),
      stop_sequence: z.string().nullish(),
    }),
    usage: AnthropicUsage.nullish(),
  }),
  z.looseObject({ type: z.literal("message_stop") }),
  z.looseObject({ type: z.literal("ping") }),
  z.looseObject({ type: z.literal("error"), error: AnthropicErrorDetail }),
])
export type StreamEvent = z.infer<typeof StreamEvent>
