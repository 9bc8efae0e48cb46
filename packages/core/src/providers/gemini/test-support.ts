import { Effect, Redacted, Stream } from "effect"
import type { ModelInfo, ThinkingControl } from "../../catalog/types.ts"
import type { ChatCompletionChunk, ChatRequest } from "../../openai/chat-schemas.ts"
import type { AdapterCall, RequestControls } from "../adapter.ts"

/** Test-only builders for Gemini adapter calls, and a reader of streamed chunks. */

/** A Gemini model of `family` with the given thinking control. */
export const geminiModel = (family: string, thinking: ThinkingControl): ModelInfo => ({
  id: `${family}-test`,
  provider: "google",
  family,
  contextWindow: 1_048_576,
  maxOutputTokens: 65_536,
  defaultMaxTokens: 8_192,
  thinking,
  capabilities: { tools: true, vision: true, jsonSchema: true },
  deployments: [],
  fallbacks: [],
  routing: "weighted",
  resilience: {
    deadlineMs: 60_000,
    attemptTimeoutMs: 30_000,
    firstTokenTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    maxRetries: 2,
    backoffBaseMs: 100,
  },
})

/** Gemini 3 Pro as the default catalog describes it. */
export const gemini3Pro = geminiModel("gemini-3-pro", {
  kind: "level",
  levels: ["low", "high"],
  speed: "low",
})

/** Gemini 3.x Flash. */
export const gemini3Flash = geminiModel("gemini-3-flash", {
  kind: "level",
  levels: ["minimal", "low", "medium", "high"],
  speed: "minimal",
})

/** Gemini 2.5 Flash: thinking can be switched off. */
export const gemini25Flash = geminiModel("gemini-2.5-flash", {
  kind: "budget",
  min: 0,
  max: 24_576,
})

/** Gemini 2.5 Pro: at least 128 thinking tokens. */
export const gemini25Pro = geminiModel("gemini-2.5-pro", { kind: "budget", min: 128, max: 32_768 })

/** Default controls: no speed mode, no reasoning requested. */
export const noControls: RequestControls = { speed: false, includeReasoning: false }

/** One adapter call for `request` against a Gemini deployment. */
export const geminiCall = (
  request: Partial<ChatRequest>,
  options: { readonly model?: ModelInfo; readonly controls?: RequestControls } = {},
): AdapterCall => {
  const model = options.model ?? gemini3Pro
  return {
    request: { model: model.id, messages: [{ role: "user", content: "Hi" }], ...request },
    model,
    controls: options.controls ?? noControls,
    deployment: {
      id: `${model.family}@google`,
      provider: "google",
      api: "gemini",
      upstreamModel: "gemini-3-pro-preview",
      baseUrl: "https://generativelanguage.googleapis.com/v1beta/",
      apiKey: Redacted.make("test-key"),
      weight: 1,
      emulated: false,
    },
  }
}

/** A streamed answer put back together, as an OpenAI client would. */
export interface Assembled {
  readonly ids: ReadonlySet<string>
  readonly content: string
  readonly reasoning: string
  readonly toolCalls: ReadonlyArray<{ id: string; name: string; arguments: string }>
  readonly finishReasons: ReadonlyArray<string>
  readonly usageChunks: ReadonlyArray<ChatCompletionChunk>
  readonly roles: number
}

/** Fold OpenAI chunks into one message, keeping what tests assert on. */
export const assemble = (chunks: ReadonlyArray<ChatCompletionChunk>): Assembled => {
  const toolCalls: Array<{ id: string; name: string; arguments: string }> = []
  let content = ""
  let reasoning = ""
  let roles = 0
  const finishReasons: Array<string> = []
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      if (choice.delta.role !== undefined) roles++
      content += choice.delta.content ?? ""
      reasoning += choice.delta.reasoning_content ?? ""
      for (const call of choice.delta.tool_calls ?? []) {
        const existing = toolCalls[call.index]
        if (existing === undefined) {
          toolCalls[call.index] = {
            id: call.id ?? "(missing id)",
            name: call.function?.name ?? "",
            arguments: call.function?.arguments ?? "",
          }
        } else {
          if (call.id !== undefined) existing.id = `${existing.id} then ${call.id}`
          existing.arguments += call.function?.arguments ?? ""
        }
      }
      if (choice.finish_reason !== null) finishReasons.push(choice.finish_reason)
    }
  }
  return {
    ids: new Set(chunks.map((c) => c.id)),
    content,
    reasoning,
    toolCalls,
    finishReasons,
    usageChunks: chunks.filter((c) => c.usage !== undefined && c.usage !== null),
    roles,
  }
}

/** Run an opened stream to its end. */
export const collect = <E>(
  stream: Stream.Stream<ChatCompletionChunk, E>,
): Effect.Effect<ReadonlyArray<ChatCompletionChunk>, E> =>
  Stream.runCollect(stream).pipe(Effect.map((chunks) => [...chunks]))
