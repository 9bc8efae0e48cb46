import { Context, type Effect } from "effect"
import type { RequestError } from "../errors/request-error.ts"

/** Who is calling: the master key or a virtual key with its limits. */
export interface Principal {
  readonly keyId: string
  readonly isMaster: boolean
  /** Model ids this key may use; undefined means all. */
  readonly allowedModels?: ReadonlyArray<string>
  /** `max_tokens` applied when the request has none. */
  readonly defaultMaxTokens?: number
  /** Upper bound on `max_tokens`; larger requests are clamped (and warned) or refused. */
  readonly maxTokensCeiling?: number
}

/** What admission needs to know about a request before it is sent. */
export interface AdmissionRequest {
  readonly principal: Principal
  readonly requestId: string
  readonly model: string
  /** Prompt tokens counted with a tokenizer plus the effective `max_tokens`. */
  readonly estimatedTokens: number
  /** Worst-case cost in nano-USD: prompt at input price plus `max_tokens` at output price. */
  readonly worstCaseNanoUsd: bigint
}

/** A granted admission; settle it exactly once. */
export interface Ticket {
  readonly id: string
  /** Headers to add to every response (`x-ratelimit-*`). */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Rate limits and budget reservations. `admit` fails with a 429 `RequestError` when a limit or
 * the budget refuses; `settle` records the exact cost and releases the rest of the reservation.
 */
export class Admission extends Context.Service<
  Admission,
  {
    readonly admit: (request: AdmissionRequest) => Effect.Effect<Ticket, RequestError>
    readonly settle: (
      ticket: Ticket,
      actual: { readonly costNanoUsd: bigint; readonly tokens: number },
    ) => Effect.Effect<void>
  }
>()("tollgate/Admission") {}
