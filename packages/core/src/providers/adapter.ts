import type { Effect, Stream } from "effect"
import type { HttpClient } from "effect/http"
import type { Deployment, ModelInfo } from "../catalog/types.ts"
import type { GatewayError } from "../errors/gateway-error.ts"
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "../openai/chat-schemas.ts"
import type { Usage } from "../usage/usage.ts"

/** Controls resolved from the request (body, `extra_body`, headers) before any adapter runs. */
export interface RequestControls {
  /** Speed mode: least thinking the model accepts. */
  readonly speed: boolean
  /** The client's `reasoning_effort`, when given and speed mode is off. */
  readonly reasoningEffort?: string
  /** Whether the client asked to see reasoning text (`reasoning_effort` set or `include_reasoning`). */
  readonly includeReasoning: boolean
}

/** Everything an adapter needs for one upstream attempt. */
export interface AdapterCall {
  readonly request: ChatRequest
  readonly model: ModelInfo
  readonly deployment: Deployment
  readonly controls: RequestControls
}

/** A finished non-streaming attempt, already in the OpenAI shape. */
export interface AdapterResult {
  /** `usage` inside is the provider's, without `cost`; the gateway adds cost later. */
  readonly response: ChatCompletion
  /** Normalised usage, `undefined` when the provider reported none. */
  readonly usage: Usage | undefined
  /** Controls that could not be honoured, for `x-tollgate-warnings`. */
  readonly warnings: ReadonlyArray<string>
}

/**
 * An opened stream: the upstream answered with a success status, headers are in, no chunk read
 * yet. Failures before this point are retryable by the caller; after it, they come through
 * `chunks`.
 */
export interface AdapterStream {
  /**
   * OpenAI-shaped chunks. Usage arrives as a final chunk with `choices: []` and `usage` set
   * (the provider's last report, never a sum), when the provider reported any.
   */
  readonly chunks: Stream.Stream<ChatCompletionChunk, GatewayError>
  readonly warnings: ReadonlyArray<string>
}

/** How an adapter treats one OpenAI parameter; feeds the generated docs table. */
export type ParameterSupport =
  | { readonly support: "honoured"; readonly note?: string }
  | { readonly support: "translated"; readonly to: string; readonly note?: string }
  | { readonly support: "ignored"; readonly note: string }
  | { readonly support: "rejected"; readonly note: string }

/** Translates OpenAI chat requests to one upstream API and its answers back. */
export interface ProviderAdapter {
  readonly api: "openai" | "gemini" | "anthropic"
  /** OpenAI request parameter -> how this adapter handles it. */
  readonly parameters: Readonly<Record<string, ParameterSupport>>
  readonly complete: (
    call: AdapterCall,
  ) => Effect.Effect<AdapterResult, GatewayError, HttpClient.HttpClient>
  /** Opens the stream; the upstream call is aborted when the returned stream's scope closes. */
  readonly stream: (
    call: AdapterCall,
  ) => Effect.Effect<AdapterStream, GatewayError, HttpClient.HttpClient>
}
