import { randomUUID } from "node:crypto"

const saneId = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The request id: the client's `x-request-id` when it is short and plain (so it can be logged
 * and echoed safely), else a new one.
 */
export const requestIdFor = (clientSent: string | undefined): string =>
  clientSent !== undefined && saneId.test(clientSent)
    ? clientSent
    : `req_${randomUUID().replaceAll("-", "")}`
