import { randomUUID } from "node:crypto"

const saneId = /^[A-Za-z0-9._:-]{1,128}$/

/** A request's ids: its own (always unique, sent back as `x-request-id`) and the client's. */
export interface RequestIds {
  /** Unique per request: the ledger's idempotency key, so it never comes from the client. */
  readonly requestId: string
  /** The client's own id when short and plain (safe to log and echo), else `requestId`. */
  readonly echoId: string
}

/**
 * Ids for a new request. As OpenAI does, `x-request-id` in the response is always ours, so a
 * client can find its request in the ledger and the usage report; the client's own id (which it
 * may reuse on its retries) comes back as `x-client-request-id` and is logged beside ours. Two
 * requests that cost money can never collapse into one ledger row.
 */
export const requestIdsFor = (clientSent: string | undefined): RequestIds => {
  const requestId = `req_${randomUUID().replaceAll("-", "")}`
  const echoId = clientSent !== undefined && saneId.test(clientSent) ? clientSent : requestId
  return { requestId, echoId }
}
