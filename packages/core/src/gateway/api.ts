import { Context, type Effect, type Stream } from "effect"
import type { PriceBook } from "../accounting/types.ts"
import type { Catalog } from "../catalog/types.ts"
import type { ChatCompletion, ChatCompletionChunk, ErrorBody } from "../openai/chat-schemas.ts"
import type { Principal } from "../services/admission.ts"

/** The configuration the request path reads: the catalog and the prices. */
export class GatewayConfig extends Context.Service<
  GatewayConfig,
  { readonly catalog: Catalog; readonly prices: PriceBook }
>()("tollgate/GatewayConfig") {}

/** Per-request facts the app extracts from the HTTP request. */
export interface ChatContext {
  readonly requestId: string
  readonly principal: Principal
  /** Epoch ms when the request arrived; deadlines count from here. */
  readonly receivedAt: number
  /** `x-tollgate-timeout-ms`: overrides the model's overall deadline. */
  readonly timeoutMs?: number
  /** `x-tollgate-mode: speed`. */
  readonly speedHeader: boolean
}

/** A finished non-streaming request: the body (usage carries `cost`) and headers to add. */
export interface CompleteOutcome {
  readonly response: ChatCompletion
  /** `x-tollgate-cost-usd`, `x-tollgate-warnings`, `x-ratelimit-*`, ... */
  readonly headers: Readonly<Record<string, string>>
}

/** What goes out on an SSE stream: a chunk, or a terminal error event (then no `[DONE]`). */
export type StreamEvent =
  | { readonly _tag: "Chunk"; readonly chunk: ChatCompletionChunk }
  | { readonly _tag: "Error"; readonly body: ErrorBody }

/**
 * An opened stream. It is returned only once the first content arrived, so failures before that
 * become an ordinary error status. `events` ends after the last chunk (the app then writes
 * `[DONE]`) or after an `Error` event (the app writes no `[DONE]`).
 */
export interface StreamOutcome {
  readonly headers: Readonly<Record<string, string>>
  readonly events: Stream.Stream<StreamEvent>
}

export type { Effect }
