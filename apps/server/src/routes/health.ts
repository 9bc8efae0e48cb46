import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { handleRequest } from "../http/handle-request.ts"

/** `GET /health`: unauthenticated liveness for load balancers and `tollgate doctor`. */
export const healthRoute = HttpRouter.add(
  "GET",
  "/health",
  handleRequest(() => Effect.succeed(HttpServerResponse.jsonUnsafe({ status: "ok" }))),
)
