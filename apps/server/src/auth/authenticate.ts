import { type Principal, RequestError } from "@tollgate/core"
import { Effect } from "effect"
import { hashKey, type MasterKey, sameHash } from "./master-key.ts"
import { providerKeyHint } from "./provider-key-hint.ts"

/** The principal of the master key: sees everything, no limits. */
export const masterPrincipal: Principal = { keyId: "master", isMaster: true }

/**
 * Authenticates a virtual key (issue 5: the store's `KeyStore.authenticate` slots in here).
 * Undefined means the token is not shaped like a virtual key, so the provider-key hint applies;
 * an unknown or revoked virtual key fails with the store's own RequestError.
 */
export type VirtualKeyLookup = (token: string) => Effect.Effect<Principal | undefined, RequestError>

const unauthorized = (message: string) =>
  new RequestError({
    status: 401,
    message,
    type: "invalid_request_error",
    code: "invalid_api_key",
    param: null,
  })

const bearerToken = (authorization: string | undefined): string | undefined => {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i)
  return match?.[1]
}

/**
 * Authenticates the `Authorization: Bearer` header: the master key, else a virtual key. Keys
 * are compared by hash in constant time; the presented key never appears in a message or log.
 */
export const authenticate = (
  authorization: string | undefined,
  master: MasterKey,
  lookupVirtualKey?: VirtualKeyLookup,
): Effect.Effect<Principal, RequestError> =>
  Effect.gen(function* () {
    const token = bearerToken(authorization)
    if (token === undefined) {
      return yield* unauthorized(
        authorization === undefined || authorization.trim() === ""
          ? "Missing API key: send your Tollgate key as 'Authorization: Bearer <key>'."
          : "Malformed Authorization header: send your Tollgate key as " +
              "'Authorization: Bearer <key>'.",
      )
    }

    if (sameHash(hashKey(token), master.hash)) return masterPrincipal

    const principal = lookupVirtualKey ? yield* lookupVirtualKey(token) : undefined
    if (principal !== undefined) return principal

    const hint = providerKeyHint(token)
    return yield* unauthorized(
      hint === undefined ? "Incorrect API key provided." : `Incorrect API key provided: ${hint}.`,
    )
  })
