import { type ChatContext, complete, stream } from "@tollgate/core"
import { Effect } from "effect"
import { HttpEffect, HttpRouter, HttpServerResponse } from "effect/http"
import { authenticateRequest } from "../auth/authenticate-request.ts"
import { requestError } from "../http/error-response.ts"
import { handleRequest, type RequestInfo } from "../http/handle-request.ts"
import { readJsonBody } from "../http/read-json-body.ts"
import { sseBody } from "../http/sse-body.ts"
import { ServerContext } from "../server-context.ts"

const TIMEOUT_HEADER = "x-tollgate-timeout-ms"

const timeoutFrom = (info: RequestInfo) => {
  const raw = info.request.headers[TIMEOUT_HEADER]
  if (raw === undefined) return Effect.succeed(undefined)
  const ms = Number(raw)
  return Number.isInteger(ms) && ms > 0
    ? Effect.succeed(ms)
    : Effect.fail(
        requestError(400, `${TIMEOUT_HEADER} must be a positive integer of milliseconds.`, {
          param: TIMEOUT_HEADER,
        }),
      )
}

/**
 * `POST /v1/chat/completions`: authenticates, reads the body within the size limit, and hands
 * it to the core's request path; a streamed answer is written as SSE chunk by chunk.
 */
export const chatCompletionsRoute = HttpRouter.add(
  "POST",
  "/v1/chat/completions",
  handleRequest((info) =>
    Effect.gen(function* () {
      const server = yield* ServerContext
      const principal = yield* authenticateRequest(info.request)
      info.log.key_id = principal.keyId
      const body = yield* readJsonBody(info.request, server.bodyLimit)
      if (typeof body.model === "string") info.log.model = body.model.slice(0, 200)

      const ctx: ChatContext = {
        requestId: info.requestId,
        principal,
        receivedAt: info.receivedAt,
        timeoutMs: yield* timeoutFrom(info),
        speedHeader: info.request.headers["x-tollgate-mode"] === "speed",
      }

      if (body.stream !== true) {
        const outcome = yield* complete(body, ctx)
        return HttpServerResponse.jsonUnsafe(outcome.response, { headers: outcome.headers })
      }

      info.log.stream = true
      const outcome = yield* stream(body, ctx)
      const events = sseBody(outcome.events, (end) => {
        info.log.stream_end = end
      })
      // The upstream call lives in the request scope: hand that scope to the body so it
      // closes (aborting the upstream) when the body ends or the client goes away.
      return HttpEffect.scopeTransferToStream(
        HttpServerResponse.stream(events, {
          contentType: "text/event-stream",
          headers: { ...outcome.headers, "cache-control": "no-cache" },
        }),
      )
    }),
  ),
)
