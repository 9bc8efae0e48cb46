import { Effect } from "effect"
import type { HttpServerRequest } from "effect/http"
import { ServerContext } from "../server-context.ts"
import { authenticate } from "./authenticate.ts"

/** Authenticates a request with the server's master key and virtual-key store. */
export const authenticateRequest = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function* () {
    const server = yield* ServerContext
    return yield* authenticate(
      request.headers.authorization,
      server.masterKey,
      server.lookupVirtualKey,
    )
  })
