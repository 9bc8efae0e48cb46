import { type GatewayError, type RequestError, toErrorResponse } from "@tollgate/core"
import { Cause, Effect, Exit, Stream } from "effect"
import { HttpBody, HttpServerRequest, HttpServerResponse } from "effect/http"
import { errorResponse, internalErrorBody } from "./error-response.ts"
import { requestIdsFor } from "./request-id.ts"

/** What a route knows about the request it handles; `log` fields end up on its log line. */
export interface RequestInfo {
  /** Unique per request (ledger, logs); see `requestIdsFor`. */
  readonly requestId: string
  /** The client's own id (`x-client-request-id` or `x-request-id`) when usable, else ours. */
  readonly echoId: string
  /** Epoch ms of arrival; deadlines and latency count from here. */
  readonly receivedAt: number
  readonly request: HttpServerRequest.HttpServerRequest
  /** Extra fields for the request's log line (model, stream end). Never keys or bodies. */
  readonly log: Record<string, string | number | boolean>
}

/** Status the log records for a request whose client went away (nginx's convention). */
const CLIENT_CLOSED = 499

const pathOf = (url: string): string => {
  const query = url.indexOf("?")
  return query === -1 ? url : url.slice(0, query)
}

const logRequest = (info: RequestInfo, status: number) =>
  Effect.logInfo("request").pipe(
    Effect.annotateLogs({
      request_id: info.requestId,
      ...(info.echoId === info.requestId ? {} : { client_request_id: info.echoId }),
      method: info.request.method,
      path: pathOf(info.request.url),
      status,
      latency_ms: Date.now() - info.receivedAt,
      ...info.log,
    }),
  )

/** The response for a failure the request path decided or met upstream. */
const renderFailure = (error: RequestError | GatewayError) => {
  const { status, body, headers } = toErrorResponse(error)
  return errorResponse(status, body, headers)
}

/**
 * Runs a route: assigns the request id (echoed as `x-request-id`), turns every failure into an
 * OpenAI-shaped response, and writes exactly one log line per request: when the response is
 * ready, or for a streamed body when the body ends (with 499 if the client went away).
 */
export const handleRequest = <R>(
  run: (
    info: RequestInfo,
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, RequestError | GatewayError, R>,
) =>
  Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    const info: RequestInfo = {
      ...requestIdsFor(request.headers["x-client-request-id"] ?? request.headers["x-request-id"]),
      receivedAt: Date.now(),
      request,
      log: {},
    }

    const response = yield* run(info).pipe(
      Effect.catch((error) => Effect.succeed(renderFailure(error))),
      Effect.catchCause((cause) =>
        Effect.logError("unhandled failure", cause).pipe(
          Effect.annotateLogs({ request_id: info.requestId }),
          Effect.as(errorResponse(500, internalErrorBody(info.requestId))),
        ),
      ),
      Effect.onInterrupt(() => logRequest(info, CLIENT_CLOSED)),
    )
    const withOwnId = HttpServerResponse.setHeader(response, "x-request-id", info.requestId)
    const withId =
      info.echoId === info.requestId
        ? withOwnId
        : HttpServerResponse.setHeader(withOwnId, "x-client-request-id", info.echoId)

    if (withId.body._tag !== "Stream") {
      yield* logRequest(info, withId.status)
      return withId
    }
    const body = withId.body
    const logged = body.stream.pipe(
      Stream.onExit((exit) =>
        logRequest(
          info,
          Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
            ? CLIENT_CLOSED
            : withId.status,
        ),
      ),
    )
    return HttpServerResponse.setBody(
      withId,
      HttpBody.stream(logged, body.contentType, body.contentLength),
    )
  })
