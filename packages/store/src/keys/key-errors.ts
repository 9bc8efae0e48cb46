import { RequestError } from "@tollgate/core"
import { displayKey } from "./key-format.ts"

const unauthorized = (message: string, code: string | null) =>
  new RequestError({ status: 401, message, type: "invalid_request_error", code, param: null })

/** 401 for a request without a key. */
export const missingKey = () =>
  unauthorized(
    "You didn't provide an API key. Send it as 'Authorization: Bearer tg-...'.",
    "missing_api_key",
  )

/** 401 for a key that is unknown or whose secret does not match; never echoes the secret. */
export const invalidKey = (id: string | undefined) =>
  unauthorized(
    id === undefined
      ? "Incorrect API key provided: it is not a Tollgate key (tg-<id>-<secret>)."
      : `Incorrect API key provided: ${displayKey(id)}.`,
    "invalid_api_key",
  )

/** 401 for a revoked key. */
export const revokedKey = (id: string) =>
  unauthorized(`The API key ${displayKey(id)} has been revoked.`, "invalid_api_key")

/** 404 for an admin operation on a key that does not exist. */
export const keyNotFound = (id: string) =>
  new RequestError({
    status: 404,
    message: `No key with id '${id}'.`,
    type: "invalid_request_error",
    code: "key_not_found",
    param: "id",
  })

/** 400 for an operation a revoked key no longer allows. */
export const keyIsRevoked = (id: string) =>
  new RequestError({
    status: 400,
    message: `The key ${displayKey(id)} is revoked; create a new key instead.`,
    type: "invalid_request_error",
    code: "key_revoked",
    param: "id",
  })

/**
 * 503 when the key store cannot be read: the request is refused rather than let through
 * unchecked (fail closed), and the `openai` client retries it.
 */
export const storeUnavailable = () =>
  new RequestError({
    status: 503,
    message: "The key store is unavailable; please retry shortly.",
    type: "server_error",
    code: "store_unavailable",
    param: null,
  })
