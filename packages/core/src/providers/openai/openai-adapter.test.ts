import { assert, describe, it } from "@effect/vitest"
import { readRecorded, recordedSse, requireShared } from "@tollgate/emulator/shared-fixtures"
import { Effect, Exit, Redacted, Stream } from "effect"
import { defaultCatalog } from "../../catalog/default-catalog.ts"
import type { Deployment, ModelInfo } from "../../catalog/types.ts"
import { GatewayError } from "../../errors/gateway-error.ts"
import {
  fakeHttpClient,
  jsonResponse,
  sseResponse,
} from "../../gateway/testing/fake-http-client.ts"
import { ChatRequest } from "../../openai/chat-schemas.ts"
import type { AdapterCall } from "../adapter.ts"
import { convertUsage } from "./convert-usage.ts"
import { openaiAdapter } from "./openai-adapter.ts"

const shared = requireShared()

const gpt = defaultCatalog({ emulatorUrl: "http://emu" }).models.get("gpt-4.1") as ModelInfo
const deployment: Deployment = {
  id: "gpt-4.1@test",
  provider: "openai",
  api: "openai",
  upstreamModel: "gpt-4.1-upstream",
  baseUrl: "http://upstream.test/v1",
  apiKey: Redacted.make("sk-test"),
  weight: 1,
  emulated: false,
}

const call = (body: Record<string, unknown>, model: ModelInfo = gpt): AdapterCall => ({
  request: ChatRequest.parse({
    model: "gpt-4.1",
    messages: [{ role: "user", content: "hi" }],
    ...body,
  }),
  model,
  deployment,
  controls: { speed: false, includeReasoning: false },
})

const failureOf = <A>(exit: Exit.Exit<A, GatewayError>): GatewayError => {
  assert.isTrue(Exit.isFailure(exit))
  const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail") : undefined
  assert.instanceOf(error?._tag === "Fail" ? error.error : undefined, GatewayError)
  return (error as { error: GatewayError }).error
}

describe.skipIf(!shared)("openai adapter, recorded payloads", () => {
  it.effect("returns a recorded OpenAI completion with its usage", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse(JSON.parse(readRecorded("openai/openai-text.json"))),
    )
    return Effect.gen(function* () {
      const result = yield* openaiAdapter.complete(call({}))
      assert.strictEqual(result.response.object, "chat.completion")
      assert.isString(result.response.choices[0]?.message.content)
      assert.strictEqual(result.usage?.promptTokens, result.response.usage?.prompt_tokens)
      assert.isAbove(result.usage?.completionTokens ?? 0, 0)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("reads DeepSeek cache hits and reasoning tokens", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse(JSON.parse(readRecorded("deepseek/deepseek-text.json"))),
    )
    return Effect.gen(function* () {
      const result = yield* openaiAdapter.complete(call({}))
      const raw = result.response.usage
      assert.strictEqual(result.usage?.promptTokens, raw?.prompt_tokens)
      assert.strictEqual(result.usage?.completionTokens, raw?.completion_tokens)
    }).pipe(Effect.provide(upstream.layer))
  })

  for (const fixture of ["openai/openai-text", "deepseek/deepseek-reasoning", "xai/xai-text"]) {
    it.effect(`streams ${fixture} and ends with a lone usage chunk`, () => {
      const upstream = fakeHttpClient(() =>
        sseResponse(recordedSse(`${fixture}.chunks.txt`, { done: true })),
      )
      return Effect.gen(function* () {
        const opened = yield* openaiAdapter.stream(call({ stream: true }))
        const chunks = yield* Stream.runCollect(opened.chunks)
        const last = chunks[chunks.length - 1]
        assert.deepStrictEqual(last?.choices, [])
        assert.isAbove(last?.usage?.completion_tokens ?? 0, 0)
        assert.strictEqual(chunks.filter((c) => c.usage != null).length, 1)
        const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")
        assert.isAbove(text.length, 0)
      }).pipe(Effect.provide(upstream.layer))
    })
  }
})

describe("openai adapter, request and errors", () => {
  it.effect("sends the upstream model, the key and unknown fields, without gateway fields", () => {
    const upstream = fakeHttpClient(() => sseResponse("data: [DONE]\n\n"))
    return Effect.gen(function* () {
      const opened = yield* openaiAdapter.stream(
        call({
          stream: true,
          models: ["x"],
          fallbacks: false,
          generation_config: { thinking_mode: "speed" },
          logit_bias: { "50256": -100 },
        }),
      )
      yield* Stream.runDrain(opened.chunks)
      const sent = upstream.sent[0]
      assert.strictEqual(sent?.url, "http://upstream.test/v1/chat/completions")
      assert.strictEqual(sent?.headers.authorization, "Bearer sk-test")
      const body = sent?.body as Record<string, unknown>
      assert.strictEqual(body.model, "gpt-4.1-upstream")
      assert.deepStrictEqual(body.logit_bias, { "50256": -100 })
      assert.deepStrictEqual(body.stream_options, { include_usage: true })
      assert.isFalse("models" in body || "fallbacks" in body || "generation_config" in body)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("sends the lowest reasoning effort in speed mode to reasoning models", () => {
    const reasoning: ModelInfo = {
      ...gpt,
      thinking: { kind: "effort", efforts: ["minimal", "low", "medium", "high"], speed: "minimal" },
    }
    const upstream = fakeHttpClient(() => jsonResponse({ error: { message: "stop" } }, 400))
    return Effect.gen(function* () {
      const base = call({ reasoning_effort: "high", max_tokens: 100 }, reasoning)
      yield* openaiAdapter
        .complete({ ...base, controls: { ...base.controls, speed: true } })
        .pipe(Effect.exit)
      const body = upstream.sent[0]?.body as Record<string, unknown>
      assert.strictEqual(body.reasoning_effort, "minimal")
      assert.strictEqual(body.max_completion_tokens, 100)
      assert.isFalse("max_tokens" in body)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("drops reasoning_effort with a warning for models without reasoning", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse(
        JSON.parse('{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}'),
      ),
    )
    return Effect.gen(function* () {
      const result = yield* openaiAdapter.complete(call({ reasoning_effort: "low" }))
      assert.isFalse("reasoning_effort" in ((upstream.sent[0]?.body ?? {}) as object))
      assert.strictEqual(result.warnings.length, 1)
      assert.isUndefined(result.usage)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("maps 429 insufficient_quota to QuotaExhausted, not a rate limit", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse(
        { error: { message: "quota", type: "insufficient_quota", code: "insufficient_quota" } },
        429,
      ),
    )
    return Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(openaiAdapter.complete(call({}))))
      assert.strictEqual(error.reason._tag, "QuotaExhausted")
      assert.isFalse(error.isRetryable)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("reads retry-after-ms before Retry-After on a 429", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse({ error: { message: "slow down" } }, 429, {
        "retry-after-ms": "1500",
        "retry-after": "9",
      }),
    )
    return Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(openaiAdapter.complete(call({}))))
      assert.strictEqual(error.reason._tag, "RateLimited")
      assert.strictEqual(error.retryAfterMs, 1500)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("maps 503 with Retry-After seconds to a retryable ProviderError", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse({ error: { message: "down" } }, 503, { "retry-after": "2" }),
    )
    return Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(openaiAdapter.complete(call({}))))
      assert.strictEqual(error.reason._tag, "ProviderError")
      assert.strictEqual(error.retryAfterMs, 2000)
      assert.isTrue(error.isRetryable)
      assert.strictEqual(error.status, 503)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("keeps the upstream's param on a 400", () => {
    const upstream = fakeHttpClient(() =>
      jsonResponse(
        {
          error: {
            message: "bad",
            type: "invalid_request_error",
            param: "max_tokens",
            code: "unsupported_parameter",
          },
        },
        400,
      ),
    )
    return Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(openaiAdapter.complete(call({}))))
      assert.deepStrictEqual(error.reason, {
        _tag: "BadRequest",
        param: "max_tokens",
        code: "unsupported_parameter",
      })
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("maps a reset connection to a retryable Network failure", () => {
    const upstream = fakeHttpClient(() => "reset")
    return Effect.gen(function* () {
      const error = failureOf(yield* Effect.exit(openaiAdapter.complete(call({}))))
      assert.strictEqual(error.reason._tag, "Network")
      assert.isTrue(error.isRetryable)
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("fails a stream whose payload is not JSON with InvalidOutput", () => {
    const upstream = fakeHttpClient(() => sseResponse("data: {not json\n\n"))
    return Effect.gen(function* () {
      const opened = yield* openaiAdapter.stream(call({ stream: true }))
      const error = failureOf(yield* Effect.exit(Stream.runDrain(opened.chunks)))
      assert.strictEqual(error.reason._tag, "InvalidOutput")
    }).pipe(Effect.provide(upstream.layer))
  })
})

describe("convertUsage", () => {
  it("counts xAI reasoning reported beside completion_tokens as output", () => {
    const usage = convertUsage({
      prompt_tokens: 12,
      completion_tokens: 2,
      total_tokens: 354,
      prompt_tokens_details: { cached_tokens: 11 },
      completion_tokens_details: { reasoning_tokens: 340 },
    })
    assert.deepStrictEqual(usage, {
      promptTokens: 12,
      cachedTokens: 11,
      cacheWriteTokens: 0,
      completionTokens: 342,
      reasoningTokens: 340,
    })
  })

  it("reads DeepSeek's prompt_cache_hit_tokens as cached tokens", () => {
    const usage = convertUsage({
      prompt_tokens: 18,
      completion_tokens: 5,
      total_tokens: 23,
      prompt_cache_hit_tokens: 10,
    })
    assert.strictEqual(usage?.cachedTokens, 10)
    assert.strictEqual(usage?.completionTokens, 5)
  })

  it("leaves missing usage undefined instead of zero", () => {
    assert.isUndefined(convertUsage(undefined))
  })
})
