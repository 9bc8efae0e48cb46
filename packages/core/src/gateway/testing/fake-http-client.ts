import { Effect, Layer } from "effect"
import { HttpClient, HttpClientError, HttpClientResponse } from "effect/http"

/** What a fake upstream was sent. */
export interface SentRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
  /** Aborted when the gateway gives the call up (timeout, lost hedge, client gone). */
  readonly signal: AbortSignal
}

/** An answer of the fake upstream: a web `Response`, or a transport failure (`"reset"`). */
export type FakeAnswer = Response | "reset"

/**
 * A test `HttpClient` layer answering from `respond` without sockets; `sent` collects every
 * request in order. For tests only.
 */
export const fakeHttpClient = (
  respond: (request: SentRequest, index: number) => FakeAnswer | Effect.Effect<FakeAnswer>,
) => {
  const sent: Array<SentRequest> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.gen(function* () {
      const body = request.body
      const text =
        body._tag === "Uint8Array" ? (body.text ?? new TextDecoder().decode(body.body)) : undefined
      const seen: SentRequest = {
        url: url.toString(),
        headers: { ...request.headers },
        body: text === undefined ? undefined : (JSON.parse(text) as unknown),
        signal,
      }
      sent.push(seen)

      const produced = respond(seen, sent.length - 1)
      const answer = Effect.isEffect(produced) ? yield* produced : produced
      if (answer === "reset") {
        return yield* Effect.fail(
          new HttpClientError.HttpClientError({
            reason: new HttpClientError.TransportError({ request, description: "socket reset" }),
          }),
        )
      }
      return HttpClientResponse.fromWeb(request, answer)
    }),
  )
  return { layer: Layer.succeed(HttpClient.HttpClient, client), sent }
}

/** A JSON response with a status and headers. */
export const jsonResponse = (
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  })

/** An SSE response with the given wire text. */
export const sseResponse = (text: string): Response =>
  new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } })
