import { randomUUID } from "node:crypto"

const saneId = /^[A-Za-z0-9._:-]{1,128}$/

/** A request's ids: its own, always unique, and the one echoed in `x-request-id`. */
export interface RequestIds {
  /** Unique per request: the ledger's idempotency key, so it never comes from the client. */
  readonly requestId: string
  /** The client's `x-request-id` when short and plain (safe to log and echo), else `requestId`. */
  readonly echoId: string
}

/**
 * Ids for a new request. A client may reuse its id (on its own retries, say): echoing it keeps
 * its logs joinable with ours, while the ledger keys every request by an id of our own, so two
 * requests that cost money can never collapse into one row.
 */
export const requestIdsFor = (clientSent: string | undefined): RequestIds => {
  const requestId = `req_${randomUUID().replaceAll("-", "")}`
  const echoId = clientSent !== undefined && saneId.test(clientSent) ? clientSent : requestId
  return { requestId, echoId }
}
