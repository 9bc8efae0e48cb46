import { Admission, type AdmissionRequest, RequestError, type Ticket } from "@tollgate/core"
import { Effect, Layer, Schedule } from "effect"
import { Budgets } from "../budgets/budget-store.ts"
import { invalidKey, revokedKey, storeUnavailable } from "../keys/key-errors.ts"
import { KeyStore } from "../keys/key-store.ts"
import { rateLimitError } from "../limits/rate-limit-error.ts"
import { rateLimitHeaders } from "../limits/rate-limit-headers.ts"
import { RateLimiter, type RateLimits } from "../limits/rate-limiter.ts"
import { type StoreTicket, storeTicketOf } from "./store-ticket.ts"

/** How admission behaves when a shared store is down. */
export interface AdmissionOptions {
  /**
   * When Redis cannot be reached: `open` (default) admits without rate limits, so that a Redis
   * outage does not take the gateway down (budgets still hold, they live in SQL); `closed`
   * refuses with 503.
   */
  readonly onLimiterUnavailable?: "open" | "closed" | undefined
}

const limiterUnavailable = () =>
  new RequestError({
    status: 503,
    message: "The rate limiter is unavailable; please retry shortly.",
    type: "server_error",
    code: "rate_limiter_unavailable",
    param: null,
  })

const withHeaders = (error: RequestError, headers: Readonly<Record<string, string>>) =>
  Object.keys(headers).length === 0
    ? error
    : // Fields by name: `message` is not an own enumerable property of an Effect error, so a
      // spread would drop it and the client would get an empty message.
      new RequestError({
        status: error.status,
        message: error.message,
        type: error.type,
        code: error.code,
        param: error.param,
        headers: { ...headers, ...error.headers },
      })

// A settlement is money: retry it through a short database hiccup before giving up on it.
const settleRetry = { schedule: Schedule.exponential("100 millis"), times: 4 }

/**
 * The core's `Admission` over the key store, budgets and a rate limiter: `admit` counts the
 * request against RPM and TPM, then holds its worst-case cost; `settle` charges the exact cost
 * and corrects the TPM count to the tokens actually used. The master key passes untouched.
 */
export const makeAdmission = (options: AdmissionOptions = {}) =>
  Effect.gen(function* () {
    const keys = yield* KeyStore
    const budgets = yield* Budgets
    const limiter = yield* RateLimiter

    const countRate = (keyId: string, limits: RateLimits, tokens: number) =>
      Effect.gen(function* () {
        if (limits.rpm === undefined && limits.tpm === undefined) return undefined

        const attempt = yield* Effect.result(limiter.acquire(keyId, limits, tokens))
        if (attempt._tag === "Failure") {
          if (options.onLimiterUnavailable === "closed") return yield* limiterUnavailable()
          return undefined
        }

        const decision = attempt.success
        if (!decision.allowed) return yield* rateLimitError(limits, decision, tokens)
        return decision
      })

    const admit = (request: AdmissionRequest) =>
      Effect.gen(function* () {
        const { principal } = request
        if (principal.isMaster) return { id: request.requestId, headers: {} } satisfies Ticket

        const keyId = principal.keyId
        const record = yield* Effect.mapError(keys.lookup(keyId), storeUnavailable)
        if (record === undefined) return yield* invalidKey(keyId)
        if (record.revokedAt !== undefined) return yield* revokedKey(keyId)

        const limits: RateLimits = {
          ...(record.rpm === undefined ? {} : { rpm: record.rpm }),
          ...(record.tpm === undefined ? {} : { tpm: record.tpm }),
        }
        const tokens = request.estimatedTokens
        const decision = yield* countRate(keyId, limits, tokens)
        const headers = decision === undefined ? {} : rateLimitHeaders(limits, decision)

        // A refused budget gives the rate-limit slot back: the request never ran.
        const refund = Effect.suspend(() =>
          decision === undefined
            ? Effect.void
            : Effect.ignore(
                limiter.adjust(keyId, decision.windowStartMs, { requests: -1, tokens: -tokens }),
              ),
        )

        const hasBudget = record.budgetNanoUsd !== undefined || record.creditNanoUsd !== undefined
        const reservation = hasBudget
          ? yield* budgets.reserve(keyId, request.worstCaseNanoUsd).pipe(
              Effect.mapError((error) =>
                error instanceof RequestError ? withHeaders(error, headers) : storeUnavailable(),
              ),
              Effect.tapError(() => refund),
            )
          : undefined

        // Only a TPM limit needs the estimate corrected to the actual tokens at settlement:
        const correct = decision !== undefined && limits.tpm !== undefined
        const ticket: StoreTicket = {
          id: reservation?.id ?? request.requestId,
          headers,
          keyId,
          countedTokens: correct ? tokens : 0,
          ...(reservation === undefined ? {} : { reservationId: reservation.id }),
          ...(correct ? { windowStartMs: decision.windowStartMs } : {}),
        }
        return ticket
      })

    const settle = (ticket: Ticket, actual: { costNanoUsd: bigint; tokens: number }) =>
      Effect.gen(function* () {
        const state = storeTicketOf(ticket)
        if (state === undefined) return

        yield* budgets.settle(state.keyId, state.reservationId, actual.costNanoUsd).pipe(
          Effect.retry(settleRetry),
          // The hold expires on its own; the ledger keeps the exact cost either way.
          Effect.catchCause((cause) =>
            Effect.logError("budget settlement failed", { keyId: state.keyId, cause }),
          ),
        )

        if (state.windowStartMs !== undefined) {
          const correction = actual.tokens - state.countedTokens
          yield* Effect.ignore(
            limiter.adjust(state.keyId, state.windowStartMs, { requests: 0, tokens: correction }),
          )
        }
      })

    return Admission.of({ admit, settle })
  })

/** `Admission` from `KeyStore`, `Budgets` and `RateLimiter`. */
export const AdmissionLive = (options: AdmissionOptions = {}) =>
  Layer.effect(Admission, makeAdmission(options))
