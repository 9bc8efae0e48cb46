import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { estimatePromptTokens } from "../accounting/worst-case.ts"
import { defaultCatalog } from "../catalog/default-catalog.ts"
import type { ModelInfo } from "../catalog/types.ts"
import { GatewayError } from "../errors/gateway-error.ts"
import { badRequest } from "../errors/request-error.ts"
import { ChatRequest } from "../openai/chat-schemas.ts"
import { checkCapabilities } from "./check-capabilities.ts"
import { toErrorResponse } from "./error-response.ts"
import { resolveControls } from "./resolve-controls.ts"

const catalog = defaultCatalog({ emulatorUrl: "http://emu" })
const deepseek = catalog.models.get("deepseek-v3.2") as ModelInfo
const request = (extra: Record<string, unknown>) =>
  ChatRequest.parse({ model: "m", messages: [{ role: "user", content: "hi" }], ...extra })

const paramOf = (exit: Exit.Exit<unknown, { readonly param: string | null }>) =>
  Exit.isFailure(exit)
    ? exit.cause.reasons.flatMap((r) => (r._tag === "Fail" ? [r.error.param] : []))[0]
    : undefined

describe("checkCapabilities", () => {
  it.effect("refuses images and json_schema where the model has neither", () =>
    Effect.gen(function* () {
      const image = request({
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "data:," } }] },
        ],
      })
      assert.strictEqual(
        paramOf(
          yield* Effect.exit(checkCapabilities(image, deepseek, estimatePromptTokens(image))),
        ),
        "messages[0].content",
      )
      const schema = request({
        response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } },
      })
      assert.strictEqual(
        paramOf(
          yield* Effect.exit(checkCapabilities(schema, deepseek, estimatePromptTokens(schema))),
        ),
        "response_format",
      )
    }),
  )

  it.effect("refuses a prompt larger than the context window", () =>
    Effect.gen(function* () {
      const small: ModelInfo = { ...deepseek, contextWindow: 1_000 }
      const big = request({ messages: [{ role: "user", content: "word ".repeat(2_000) }] })
      assert.strictEqual(
        paramOf(yield* Effect.exit(checkCapabilities(big, small, estimatePromptTokens(big)))),
        "messages",
      )
    }),
  )
})

describe("resolveControls", () => {
  it("turns on speed mode from generation_config or the header, and drops the effort then", () => {
    const fromBody = resolveControls(
      request({ generation_config: { thinking_mode: "speed" }, reasoning_effort: "high" }),
      false,
    )
    assert.isTrue(fromBody.speed)
    assert.isUndefined(fromBody.reasoningEffort)
    assert.isTrue(resolveControls(request({}), true).speed)
    assert.strictEqual(
      resolveControls(request({ reasoning_effort: "low" }), false).reasoningEffort,
      "low",
    )
  })
})

describe("toErrorResponse", () => {
  it("maps deadlines to 504, upstream failures to 502 with Retry-After, refusals as is", () => {
    const deadline = new GatewayError({
      reason: { _tag: "Timeout", scope: "deadline" },
      message: "t",
    })
    assert.strictEqual(toErrorResponse(deadline).status, 504)
    const limited = new GatewayError({
      reason: { _tag: "RateLimited", retryAfterMs: 1_500 },
      message: "r",
    })
    assert.deepStrictEqual(
      [toErrorResponse(limited).status, toErrorResponse(limited).headers["retry-after"]],
      [502, "2"],
    )
    const rendered = toErrorResponse(badRequest("no", "messages[0].role"))
    assert.deepStrictEqual(rendered.body.error, {
      message: "no",
      type: "invalid_request_error",
      param: "messages[0].role",
      code: null,
    })
  })
})
