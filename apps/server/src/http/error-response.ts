import type { ErrorBody } from "@tollgate/core"
import { RequestError } from "@tollgate/core"
import { HttpServerResponse } from "effect/http"

/** An OpenAI-shaped error response; the only way the server writes a failure. */
export const errorResponse = (
  status: number,
  body: ErrorBody,
  headers: Readonly<Record<string, string>> = {},
): HttpServerResponse.HttpServerResponse => HttpServerResponse.jsonUnsafe(body, { status, headers })

/** A RequestError decided by the server itself (auth, routing, body size). */
export const requestError = (
  status: number,
  message: string,
  options: {
    type?: string
    code?: string | null
    param?: string | null
    headers?: Readonly<Record<string, string>>
  } = {},
): RequestError =>
  new RequestError({
    status,
    message,
    type: options.type ?? "invalid_request_error",
    code: options.code ?? null,
    param: options.param ?? null,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  })

/** The body of a failure nobody anticipated: no internals leak, the request id helps support. */
export const internalErrorBody = (requestId: string): ErrorBody => ({
  error: {
    message: `The gateway failed to handle the request (request id ${requestId}).`,
    type: "server_error",
    param: null,
    code: "internal_error",
  },
})
