import type { Redacted } from "effect"

/** The wire protocol an upstream speaks; picks the adapter. */
export type UpstreamApi = "openai" | "gemini" | "anthropic"

/** How a model family exposes its thinking control. */
export type ThinkingControl =
  | { readonly kind: "none" }
  /** Gemini 3.x: `thinkingLevel`; `speed` is the lowest level the model accepts. */
  | { readonly kind: "level"; readonly levels: ReadonlyArray<string>; readonly speed: string }
  /** Gemini 2.5, Anthropic: a token budget; `min` 0 means it can be switched off. */
  | { readonly kind: "budget"; readonly min: number; readonly max: number }
  /** OpenAI reasoning models: `reasoning_effort`, `speed` the lowest effort accepted. */
  | { readonly kind: "effort"; readonly efforts: ReadonlyArray<string>; readonly speed: string }

/** What a model can be asked to do; checked before a request costs anything. */
export interface Capabilities {
  readonly tools: boolean
  readonly vision: boolean
  readonly jsonSchema: boolean
}

/** One place a model can be served from: a provider account, region or key. */
export interface Deployment {
  /** Unique within the catalog, e.g. `gemini-2.5-flash@google`. */
  readonly id: string
  /** Provider name as shown to users (`google`, `anthropic`, `openai`, `deepseek`, ...). */
  readonly provider: string
  readonly api: UpstreamApi
  /** The model id the upstream expects. */
  readonly upstreamModel: string
  /** Base URL up to and including the version path, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string>
  /** Relative share of traffic under the weighted strategy. */
  readonly weight: number
  /** True when the built-in emulator stands in for the provider. */
  readonly emulated: boolean
}

/** How the router picks among a model's deployments. */
export type RoutingStrategy = "weighted" | "latency" | "least-busy"

/** Timeouts and retries for one model, in milliseconds. */
export interface ResiliencePolicy {
  /** Overall deadline covering every retry, fallback and hedge. */
  readonly deadlineMs: number
  /** Per-attempt limit on the time to response headers (non-streaming: to the whole body). */
  readonly attemptTimeoutMs: number
  /** Limit on the time to the first content token of a stream. */
  readonly firstTokenTimeoutMs: number
  /** Limit on the gap between two stream chunks. */
  readonly idleTimeoutMs: number
  /** Retries per deployment after the first attempt. */
  readonly maxRetries: number
  /** Base delay of the exponential backoff. */
  readonly backoffBaseMs: number
  /** Start a hedge attempt when no first token came within this (ms), or at the observed p95. */
  readonly hedge?: { readonly afterMs: number | "p95" }
}

/** A model as clients name it, with everything needed to serve and validate a request. */
export interface ModelInfo {
  readonly id: string
  /** The provider that makes the model (`google`, `anthropic`, `openai`, `deepseek`). */
  readonly provider: string
  /** Family used to map controls, e.g. `gemini-3-flash`, `gemini-2.5-pro`, `claude-4.5`. */
  readonly family: string
  readonly contextWindow: number
  readonly maxOutputTokens: number
  /** `max_tokens` sent when the client gave none and the API requires one (Anthropic). */
  readonly defaultMaxTokens: number
  readonly thinking: ThinkingControl
  readonly capabilities: Capabilities
  readonly deployments: ReadonlyArray<Deployment>
  /** Model ids to try, in order, when every deployment of this one failed. */
  readonly fallbacks: ReadonlyArray<string>
  readonly routing: RoutingStrategy
  readonly resilience: ResiliencePolicy
}

/** The models the gateway serves, by id. */
export interface Catalog {
  readonly models: ReadonlyMap<string, ModelInfo>
}
