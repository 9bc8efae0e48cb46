import type { Ticket } from "@tollgate/core"

/**
 * The ticket the store hands out: the core sees `id` and `headers`; the rest comes back in
 * `settle` and says what to charge and what to correct.
 */
export interface StoreTicket extends Ticket {
  readonly keyId: string
  /** The budget hold to release; absent when the key has neither budget nor credit. */
  readonly reservationId?: string
  /** The window its tokens were counted in; absent when the key has no TPM limit. */
  readonly windowStartMs?: number
  /** Tokens counted against the TPM limit at admission (the estimate). */
  readonly countedTokens: number
}

/** The store's fields of a ticket, or undefined for the master key's (nothing to settle). */
export const storeTicketOf = (ticket: Ticket): StoreTicket | undefined => {
  if (!("keyId" in ticket) || typeof ticket.keyId !== "string") return undefined
  if (!("countedTokens" in ticket) || typeof ticket.countedTokens !== "number") return undefined

  const reservationId =
    "reservationId" in ticket && typeof ticket.reservationId === "string"
      ? ticket.reservationId
      : undefined
  const windowStartMs =
    "windowStartMs" in ticket && typeof ticket.windowStartMs === "number"
      ? ticket.windowStartMs
      : undefined

  return {
    id: ticket.id,
    headers: ticket.headers,
    keyId: ticket.keyId,
    countedTokens: ticket.countedTokens,
    ...(reservationId === undefined ? {} : { reservationId }),
    ...(windowStartMs === undefined ? {} : { windowStartMs }),
  }
}
