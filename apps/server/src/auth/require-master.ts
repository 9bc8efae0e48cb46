import { Effect } from "effect"
import type { HttpServerRequest } from "effect/http"
import { requestError } from "../http/error-response.ts"
import { authenticateRequest } from "./authenticate-request.ts"

/** Authenticates and insists on the master key: admin endpoints are not for virtual keys. */
export const requireMaster = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.flatMap(authenticateRequest(request), (principal) =>
    principal.isMaster
      ? Effect.succeed(principal)
      : Effect.fail(
          requestError(403, "This endpoint needs the master key; a virtual key cannot use it.", {
            type: "permission_error",
            code: "admin_only",
          }),
        ),
  )
