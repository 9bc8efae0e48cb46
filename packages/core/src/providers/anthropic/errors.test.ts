import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { HttpClient } from "effect/http"
import type { FailureReason, GatewayError } from "../../errors/gateway-error.ts"
import { callFor, fakeAnthropic, json } from "./fake-anthropic.ts"
import { anthropicAdapter } from "./index.ts"

const errorBody = (type: string, message: string) => ({
  type: "error",
  error: { type, message },
})

/** The failure of one call answered with `response`, through complete or stream. */
const failureFor = (response: () => Response, mode: "complete" | "stream" = "complete") => {
  const upstream = fakeAnthropic(response)
  const run: Effect.Effect<unknown, GatewayError, HttpClient.HttpClient> =
    mode === "complete"
      ? anthropicAdapter.complete(callFor({}))
      : anthropicAdapter.stream(callFor({ stream: true }))
  return Effect.gen(function* () {
    const exit = yield* Effect.exit(run)
    if (Exit.isSuccess(exit)) throw new Error("expected a failure")
    const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
    if (reason?._tag !== "Fail") throw new Error("expected a typed failure")
    return reason.error as GatewayError
  }).pipe(Effect.provide(upstream.layer))
}

const cases: ReadonlyArray<{
  readonly name: string
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
  readonly reason: FailureReason
  readonly retryable: boolean
}> = [
  {
    name: "a 529 overloaded_error is a retryable provider error",
    status: 529,
    body: errorBody("overloaded_error", "Overloaded"),
    reason: { _tag: "ProviderError", retryAfterMs: undefined },
    retryable: true,
  },
  {
    name: "a rate_limit_error is rate limited with its retry-after",
    status: 429,
    body: errorBody("rate_limit_error", "Number of request tokens has exceeded your limit"),
    headers: { "retry-after": "7" },
    reason: { _tag: "RateLimited", retryAfterMs: 7000 },
    retryable: true,
  },
  {
    name: "an authentication_error is not retried",
    status: 401,
    body: errorBody("authentication_error", "invalid x-api-key"),
    reason: { _tag: "Authentication" },
    retryable: false,
  },
  {
    name: "a permission_error is an authentication failure",
    status: 403,
    body: errorBody("permission_error", "Your API key does not have permission"),
    reason: { _tag: "Authentication" },
    retryable: false,
  },
  {
    name: "an invalid_request_error is a bad request",
    status: 400,
    body: errorBody("invalid_request_error", "max_tokens: Field required"),
    reason: { _tag: "BadRequest" },
    retryable: false,
  },
  {
    name: "a prompt that is too long is context too long",
    status: 400,
    body: errorBody("invalid_request_error", "prompt is too long: 215021 tokens > 200000 maximum"),
    reason: { _tag: "ContextTooLong" },
    retryable: false,
  },
  {
    name: "an api_error is a retryable provider error",
    status: 500,
    body: errorBody("api_error", "Internal server error"),
    reason: { _tag: "ProviderError", retryAfterMs: undefined },
    retryable: true,
  },
  {
    name: "a 502 without an Anthropic body is classified by its status",
    status: 502,
    body: "<html>Bad gateway</html>",
    reason: { _tag: "ProviderError", retryAfterMs: undefined },
    retryable: true,
  },
]

describe("anthropic errors", () => {
  for (const c of cases) {
    it.effect(c.name, () =>
      Effect.gen(function* () {
        const error = yield* failureFor(() => json(c.body, c.status, c.headers))
        assert.deepStrictEqual(error.reason, c.reason)
        assert.strictEqual(error.isRetryable, c.retryable)
        assert.strictEqual(error.status, c.status)
        assert.strictEqual(error.deployment, "claude-sonnet-4.5@test")
        const detail =
          typeof c.body === "string"
            ? c.body
            : (c.body as { error: { message: string } }).error.message
        assert.include(error.message, detail)
      }),
    )
  }

  it.effect("fails a stream before it opens when Anthropic answers 529", () =>
    Effect.gen(function* () {
      const error = yield* failureFor(
        () => json(errorBody("overloaded_error", "Overloaded"), 529),
        "stream",
      )
      assert.strictEqual(error.reason._tag, "ProviderError")
      assert.strictEqual(error.status, 529)
    }),
  )

  it.effect("reads retry-after-ms before retry-after", () =>
    Effect.gen(function* () {
      const headers = { "retry-after-ms": "1500", "retry-after": "2" }
      const error = yield* failureFor(() =>
        json(errorBody("rate_limit_error", "slow down"), 429, headers),
      )
      assert.strictEqual(error.retryAfterMs, 1500)
    }),
  )
})
