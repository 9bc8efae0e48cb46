import { Effect } from "effect"
import { type CliFailure, cliFailure } from "../cli-failure.ts"
import { type Connection, keyValue } from "./connection-flags.ts"
import { errorAnswer, unreachable } from "./describe-failure.ts"

/** Admin and report calls are small; a gateway that takes longer than this is stuck. */
const REQUEST_TIMEOUT_MS = 30_000

/** One JSON call to the gateway (`GET /v1/usage`, `/admin/keys`...). */
export interface JsonRequest {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** Path and query, e.g. `/admin/keys`. */
  readonly path: string
  readonly body?: unknown
}

const readBody = async (response: Response): Promise<unknown> => {
  const text = await response.text()
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * Calls the gateway with the connection's key and returns the parsed JSON answer. An error
 * status or a connection failure becomes a one-line `CliFailure`.
 */
export const requestJson = (
  connection: Connection,
  request: JsonRequest,
): Effect.Effect<unknown, CliFailure> =>
  Effect.gen(function* () {
    const key = keyValue(connection)
    const url = `${connection.baseUrl}${request.path}`
    const response = yield* Effect.tryPromise({
      try: (signal) =>
        fetch(url, {
          method: request.method,
          headers: {
            accept: "application/json",
            ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
            ...(request.body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
        }),
      catch: (error) => unreachable(connection.baseUrl, error),
    })

    const body = yield* Effect.tryPromise({
      try: () => readBody(response),
      catch: () => cliFailure(`the gateway's answer to ${request.path} was cut off`),
    })
    if (!response.ok) return yield* errorAnswer(response.status, body)
    return body
  })
