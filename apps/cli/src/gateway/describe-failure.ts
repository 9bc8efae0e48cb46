import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai"
import { z } from "zod"
import { type CliFailure, cliFailure } from "../cli-failure.ts"

// Node's fetch reports a refused connection as TypeError("fetch failed") with the socket error,
// which carries the code, as its cause; the `openai` client wraps that once more.
const rootCause = (error: unknown, depth = 0): unknown =>
  depth < 4 && typeof error === "object" && error !== null && "cause" in error && error.cause
    ? rootCause(error.cause, depth + 1)
    : error

const reason = (error: unknown): string | undefined => {
  const root = rootCause(error)
  if (typeof root !== "object" || root === null) return undefined
  if ("code" in root && typeof root.code === "string") return root.code
  return root instanceof Error ? root.message : undefined
}

/** The one line shown when no answer came back from the gateway at all. */
export const unreachable = (baseUrl: string, error: unknown): CliFailure => {
  const why = reason(error) === undefined ? "" : ` (${reason(error)})`
  return cliFailure(
    `cannot reach the gateway at ${baseUrl}${why}; is it running? Start it with ` +
      "`tollgate serve`, or point --base-url / TOLLGATE_BASE_URL at it",
  )
}

const ErrorBody = z.looseObject({
  error: z.looseObject({ message: z.string(), code: z.string().nullish() }),
})

/** The one line for an error answer: status, the gateway's message and its code. */
export const errorAnswer = (status: number, body: unknown): CliFailure => {
  const parsed = ErrorBody.safeParse(body)
  if (!parsed.success) return cliFailure(`the gateway answered ${status}`)
  const { message, code } = parsed.data.error
  return cliFailure(`the gateway answered ${status}: ${message}${code ? ` (${code})` : ""}`)
}

/** Maps what the `openai` client throws to the one line the user sees. */
export const fromOpenAiError = (baseUrl: string, error: unknown): CliFailure => {
  if (error instanceof APIConnectionTimeoutError) {
    return cliFailure(`the gateway at ${baseUrl} did not answer in time`)
  }
  if (error instanceof APIConnectionError) return unreachable(baseUrl, error)
  if (error instanceof APIError && error.status !== undefined) {
    return errorAnswer(error.status, { error: error.error })
  }
  // No status: an error event inside a stream that had begun (the gateway never fakes an end).
  if (error instanceof APIError) {
    const code = error.code ? ` (${error.code})` : ""
    return cliFailure(`the answer broke off: ${error.message}${code}`)
  }
  return cliFailure(error instanceof Error ? error.message : String(error))
}
