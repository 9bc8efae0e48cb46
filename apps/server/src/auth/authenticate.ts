import { type Principal, RequestError } from "@tollgate/core"
import { Effect } from "effect"
import { hashKey, type MasterKey, sameHash } from "./master-key.ts"
import { providerKeyHint } from "./provider-key-hint.ts"

/** The principal of the master key: sees everything, no limits. */
export const masterPrincipal: Principal = { keyId: "master", isMaster: true }

/**
 * Looks up a virtual key by its hash (issue 5's KeyStore slots in here). Undefined means no
 * such key; a revoked or expired key fails with its own RequestError.
 */
export type VirtualKeyLookup = (
  keyHash: Buffer,
) => Effect.Effect<Principal | undefined, RequestError>

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
        "Missing API key: send your Tollgate key as 'Authorization: Bearer <key>'.",
      )
    }

    const presented = hashKey(token)
    if (sameHash(presented, master.hash)) return masterPrincipal

    const principal = lookupVirtualKey ? yield* lookupVirtualKey(presented) : undefined
    if (principal !== undefined) return principal

    const hint = providerKeyHint(token)
    return yield* unauthorized(
      hint === undefined ? "Incorrect API key provided." : `Incorrect API key provided: ${hint}.`,
    )
  })
