import type { RequestError } from "@tollgate/core"
import { ByteSize, Effect } from "effect"
import { HttpIncomingMessage, type HttpServerRequest } from "effect/http"
import { requestError } from "./error-response.ts"

const tooLarge = (limit: number) =>
  requestError(413, `Request body too large: the limit is ${limit} bytes.`, {
    code: "request_too_large",
  })

/**
 * Reads the body as a JSON object within `limit` bytes: refused by `content-length` before
 * reading, and again while reading (a chunked body has no length). 413 over the limit, 400 for
 * invalid JSON or a body that is not an object.
 */
export const readJsonBody = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number,
): Effect.Effect<Record<string, unknown>, RequestError> =>
  Effect.gen(function* () {
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    if (declared > limit) return yield* tooLarge(limit)

    const bytes = yield* request.arrayBuffer.pipe(
      Effect.provideService(HttpIncomingMessage.MaxBodySize, ByteSize.bytes(limit)),
      Effect.mapError((error) =>
        error.reason._tag === "RequestParseError" && error.reason.reason === "BodyTooLarge"
          ? tooLarge(limit)
          : requestError(400, "Could not read the request body."),
      ),
    )

    const text = new TextDecoder().decode(bytes)
    const parsed = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: () =>
        requestError(
          400,
          "We could not parse the JSON body of your request: it is not valid JSON.",
          { code: "invalid_json" },
        ),
    })
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return yield* requestError(400, "The request body must be a JSON object.", {
        code: "invalid_json",
      })
    }
    return parsed as Record<string, unknown>
  })
