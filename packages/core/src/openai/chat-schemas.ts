import { z } from "zod"

/**
 * Zod schemas of the OpenAI Chat Completions wire format. Objects are loose: fields we do not
 * model pass through untouched, because providers (and newer OpenAI versions) send and accept more.
 */

const TextPart = z.looseObject({ type: z.literal("text"), text: z.string() })
const ImagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string(), detail: z.string().optional() }),
})
const OtherPart = z.looseObject({ type: z.string() })

/** A content part of a message: text, image, or a kind we pass through. */
export const ContentPart = z.union([TextPart, ImagePart, OtherPart])
export type ContentPart = z.infer<typeof ContentPart>

const Content = z.union([z.string(), z.array(ContentPart)])

/** A tool call as the assistant emitted it. */
export const ToolCall = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
})
export type ToolCall = z.infer<typeof ToolCall>

/** One chat message, any role. */
export const ChatMessage = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content: Content, name: z.string().optional() }),
  z.looseObject({ role: z.literal("developer"), content: Content, name: z.string().optional() }),
  z.looseObject({ role: z.literal("user"), content: Content, name: z.string().optional() }),
  z.looseObject({
    role: z.literal("assistant"),
    content: Content.nullish(),
    name: z.string().optional(),
    tool_calls: z.array(ToolCall).optional(),
    reasoning_content: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal("tool"), content: Content, tool_call_id: z.string() }),
])
export type ChatMessage = z.infer<typeof ChatMessage>

/** A function tool the model may call. */
export const Tool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
})
export type Tool = z.infer<typeof Tool>

export const ToolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.object({ name: z.string() }) }),
])
export type ToolChoice = z.infer<typeof ToolChoice>

export const ResponseFormat = z.union([
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string(),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
])
export type ResponseFormat = z.infer<typeof ResponseFormat>

export const ReasoningEffort = z.enum(["none", "minimal", "low", "medium", "high", "xhigh"])
export type ReasoningEffort = z.infer<typeof ReasoningEffort>

/**
 * The client's chat request. Gateway extras: `models` (per-request fallback list, as OpenRouter
 * accepts), `fallbacks` (false turns them off), `generation_config` (the pipelines' speed mode).
 */
export const ChatRequest = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ChatMessage).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  tools: z.array(Tool).nullish(),
  tool_choice: ToolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: ResponseFormat.nullish(),
  reasoning_effort: ReasoningEffort.nullish(),
  user: z.string().nullish(),
  models: z.array(z.string().min(1)).nullish(),
  fallbacks: z.boolean().nullish(),
  generation_config: z
    .looseObject({
      thinking_mode: z.enum(["speed", "default", "quality"]).optional(),
      response_modality: z.string().optional(),
    })
    .nullish(),
})
export type ChatRequest = z.infer<typeof ChatRequest>

/** Usage as OpenAI reports it, with the gateway's `cost` (USD) extra. */
export const WireUsage = z.looseObject({
  prompt_tokens: z.number(),
  completion_tokens: z.number(),
  total_tokens: z.number(),
  prompt_tokens_details: z
    .looseObject({
      cached_tokens: z.number().optional(),
      cache_write_tokens: z.number().optional(),
    })
    .nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().optional() }).nullish(),
  cost: z.number().optional(),
})
export type WireUsage = z.infer<typeof WireUsage>

export const FinishReason = z.enum([
  "stop",
  "length",
  "tool_calls",
  "content_filter",
  "function_call",
])
export type FinishReason = z.infer<typeof FinishReason>

/** A whole (non-streamed) chat completion. */
export const ChatCompletion = z.looseObject({
  id: z.string(),
  object: z.literal("chat.completion"),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number(),
      message: z.looseObject({
        role: z.literal("assistant"),
        content: z.string().nullable(),
        refusal: z.string().nullish(),
        tool_calls: z.array(ToolCall).optional(),
        reasoning_content: z.string().optional(),
      }),
      finish_reason: FinishReason.nullable(),
      logprobs: z.unknown().nullish(),
    }),
  ),
  usage: WireUsage.optional(),
  system_fingerprint: z.string().nullish(),
})
export type ChatCompletion = z.infer<typeof ChatCompletion>

/** A streamed tool-call delta: the first delta of a call carries id and name. */
export const ToolCallDelta = z.looseObject({
  index: z.number(),
  id: z.string().optional(),
  type: z.literal("function").optional(),
  function: z
    .looseObject({ name: z.string().optional(), arguments: z.string().optional() })
    .optional(),
})
export type ToolCallDelta = z.infer<typeof ToolCallDelta>

/** One streamed chunk; the final usage chunk has `choices: []`. */
export const ChatCompletionChunk = z.looseObject({
  id: z.string(),
  object: z.literal("chat.completion.chunk"),
  created: z.number(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number(),
      delta: z.looseObject({
        role: z.literal("assistant").optional(),
        content: z.string().nullish(),
        refusal: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        tool_calls: z.array(ToolCallDelta).optional(),
      }),
      finish_reason: FinishReason.nullable(),
      logprobs: z.unknown().nullish(),
    }),
  ),
  usage: WireUsage.nullish(),
  system_fingerprint: z.string().nullish(),
})
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>

/** The OpenAI error body. */
export const ErrorBody = z.object({
  error: z.looseObject({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
})
export type ErrorBody = z.infer<typeof ErrorBody>
