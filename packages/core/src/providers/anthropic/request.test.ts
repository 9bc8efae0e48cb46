import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type { GatewayError } from "../../errors/gateway-error.ts"
import type { AdapterCall } from "../adapter.ts"
import { callFor, claude, fakeAnthropic, json } from "./fake-anthropic.ts"
import { anthropicAdapter } from "./index.ts"

const answer = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  content: [{ type: "text", text: "ok" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 1, output_tokens: 1 },
}

/** Run one call against the fake and return the body Anthropic was sent, and the warnings. */
const sentFor = (call: AdapterCall) => {
  const upstream = fakeAnthropic(() => json(answer))
  return Effect.gen(function* () {
    const result = yield* anthropicAdapter.complete(call)
    return { body: upstream.sent[0]?.body as Record<string, unknown>, warnings: result.warnings }
  }).pipe(Effect.provide(upstream.layer))
}

/** Run one call that must be refused before anything is sent. */
const refused = (call: AdapterCall) => {
  const upstream = fakeAnthropic(() => json(answer))
  return Effect.gen(function* () {
    const exit = yield* Effect.exit(anthropicAdapter.complete(call))
    assert.strictEqual(upstream.sent.length, 0)
    if (Exit.isSuccess(exit)) throw new Error("expected a refusal")
    const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
    if (reason?._tag !== "Fail") throw new Error("expected a typed failure")
    return reason.error as GatewayError
  }).pipe(Effect.provide(upstream.layer))
}

const weatherTool = {
  type: "function",
  function: {
    name: "weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
}

describe("anthropic request translation", () => {
  it.effect("moves system and developer messages into system and defaults max_tokens", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* sentFor(
        callFor({
          messages: [
            { role: "system", content: "Be brief." },
            { role: "developer", content: [{ type: "text", text: "Use metric units." }] },
            { role: "user", content: "Hello" },
          ],
        }),
      )
      assert.deepStrictEqual(body, {
        model: "claude-sonnet-4-5-20250929",
        max_tokens: 8192,
        system: "Be brief.\n\nUse metric units.",
        messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      })
      assert.deepStrictEqual(warnings, [])
    }),
  )

  it.effect("takes max_completion_tokens, then max_tokens, over the catalog default", () =>
    Effect.gen(function* () {
      const both = yield* sentFor(callFor({ max_tokens: 100, max_completion_tokens: 200 }))
      assert.strictEqual(both.body.max_tokens, 200)
      const one = yield* sentFor(callFor({ max_tokens: 100 }))
      assert.strictEqual(one.body.max_tokens, 100)
    }),
  )

  it.effect("translates tools, tool calls and merges consecutive tool results", () =>
    Effect.gen(function* () {
      const { body } = yield* sentFor(
        callFor({
          tools: [weatherTool, { type: "function", function: { name: "clock" } }],
          tool_choice: "required",
          parallel_tool_calls: false,
          messages: [
            { role: "user", content: "Weather in Paris and Oslo?" },
            {
              role: "assistant",
              content: null,
              tool_calls: [
                {
                  id: "toolu_a",
                  type: "function",
                  function: { name: "weather", arguments: '{"city":"Paris"}' },
                },
                { id: "toolu_b", type: "function", function: { name: "clock", arguments: "" } },
              ],
            },
            { role: "tool", tool_call_id: "toolu_a", content: "18C" },
            { role: "tool", tool_call_id: "toolu_b", content: [{ type: "text", text: "noon" }] },
          ],
        }),
      )
      assert.deepStrictEqual(body.tools, [
        {
          name: "weather",
          description: "Weather for a city",
          input_schema: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
          },
        },
        { name: "clock", input_schema: { type: "object", properties: {} } },
      ])
      assert.deepStrictEqual(body.tool_choice, { type: "any", disable_parallel_tool_use: true })
      assert.deepStrictEqual(body.messages, [
        { role: "user", content: [{ type: "text", text: "Weather in Paris and Oslo?" }] },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_a", name: "weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_b", name: "clock", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_a",
              content: [{ type: "text", text: "18C" }],
            },
            {
              type: "tool_result",
              tool_use_id: "toolu_b",
              content: [{ type: "text", text: "noon" }],
            },
          ],
        },
      ])
    }),
  )

  it.effect("maps tool_choice none, auto and a named function", () =>
    Effect.gen(function* () {
      const none = yield* sentFor(callFor({ tools: [weatherTool], tool_choice: "none" }))
      assert.deepStrictEqual(none.body.tool_choice, { type: "none" })
      const auto = yield* sentFor(callFor({ tools: [weatherTool], tool_choice: "auto" }))
      assert.strictEqual(auto.body.tool_choice, undefined)
      const named = yield* sentFor(
        callFor({
          tools: [weatherTool],
          tool_choice: { type: "function", function: { name: "weather" } },
        }),
      )
      assert.deepStrictEqual(named.body.tool_choice, { type: "tool", name: "weather" })
    }),
  )

  it.effect("sends data-URL images inline and https images by URL", () =>
    Effect.gen(function* () {
      const { body } = yield* sentFor(
        callFor({
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "Compare" },
                { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
                { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
              ],
            },
          ],
        }),
      )
      assert.deepStrictEqual(body.messages, [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            {
              type: "image",
              source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
            },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ])
    }),
  )

  it.effect("switches thinking off in speed mode, whatever the effort", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* sentFor(
        callFor({ reasoning_effort: "high" }, { speed: true, includeReasoning: true }),
      )
      assert.deepStrictEqual(body.thinking, { type: "disabled" })
      assert.strictEqual(body.max_tokens, 8192)
      assert.deepStrictEqual(warnings, [])
    }),
  )

  it.effect("maps reasoning_effort to a budget and makes room for it in max_tokens", () =>
    Effect.gen(function* () {
      const { body } = yield* sentFor(callFor({}, { reasoningEffort: "medium" }))
      assert.deepStrictEqual(body.thinking, { type: "enabled", budget_tokens: 8192 })
      assert.strictEqual(body.max_tokens, 8192 + 8192)
      const none = yield* sentFor(callFor({}, { reasoningEffort: "none" }))
      assert.deepStrictEqual(none.body.thinking, { type: "disabled" })
    }),
  )

  it.effect("lowers the budget below the client's max_tokens and says so", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* sentFor(
        callFor({ max_tokens: 2000 }, { reasoningEffort: "high" }),
      )
      assert.deepStrictEqual(body.thinking, { type: "enabled", budget_tokens: 1999 })
      assert.strictEqual(body.max_tokens, 2000)
      assert.deepStrictEqual(warnings, ["thinking budget lowered to 1999 to fit max_tokens 2000"])
    }),
  )

  it.effect("switches thinking off with a warning when max_tokens leaves no room for it", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* sentFor(
        callFor({ max_tokens: 500 }, { reasoningEffort: "low" }),
      )
      assert.deepStrictEqual(body.thinking, { type: "disabled" })
      assert.deepStrictEqual(warnings, [
        "thinking off: max_tokens 500 leaves no room for a thinking budget",
      ])
    }),
  )

  it.effect("drops temperature under thinking and keeps the forced tool over thinking", () =>
    Effect.gen(function* () {
      const sampled = yield* sentFor(callFor({ temperature: 0.2 }, { reasoningEffort: "low" }))
      assert.strictEqual(sampled.body.temperature, undefined)
      assert.deepStrictEqual(sampled.warnings, [
        "temperature dropped: Anthropic allows no temperature change with thinking",
      ])
      const forced = yield* sentFor(
        callFor({ tools: [weatherTool], tool_choice: "required" }, { reasoningEffort: "low" }),
      )
      assert.deepStrictEqual(forced.body.thinking, { type: "disabled" })
      assert.deepStrictEqual(forced.warnings, [
        "thinking off: Anthropic forbids thinking with a forced tool",
      ])
    }),
  )

  it.effect("warns when the model has no thinking budget to set", () =>
    Effect.gen(function* () {
      const haiku = { ...claude, id: "claude-3-haiku", thinking: { kind: "none" } as const }
      const { body, warnings } = yield* sentFor(callFor({}, { reasoningEffort: "high" }, haiku))
      assert.strictEqual(body.thinking, undefined)
      assert.deepStrictEqual(warnings, [
        "reasoning_effort ignored: claude-3-haiku has no thinking budget",
      ])
    }),
  )

  it.effect("translates stop, caps temperature at 1 and warns about ignored parameters", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* sentFor(
        callFor({ stop: "END", temperature: 1.5, top_p: 0.9, seed: 7, user: "u-1" }),
      )
      assert.deepStrictEqual(body.stop_sequences, ["END"])
      assert.strictEqual(body.temperature, 1)
      assert.strictEqual(body.top_p, 0.9)
      assert.deepStrictEqual(body.metadata, { user_id: "u-1" })
      assert.deepStrictEqual(warnings, [
        "seed ignored: Anthropic sampling is not seedable",
        "temperature 1.5 capped at 1, Anthropic's maximum",
      ])
    }),
  )

  it.effect("says nothing about parameters set to their defaults", () =>
    Effect.gen(function* () {
      const { warnings } = yield* sentFor(
        callFor({ n: 1, logprobs: false, presence_penalty: 0, service_tier: "auto", seed: null }),
      )
      assert.deepStrictEqual(warnings, [])
    }),
  )

  it.effect("warns about fields it does not forward, but not about the gateway's own", () =>
    Effect.gen(function* () {
      const { body, warnings } = yield* sentFor(
        callFor({ safe_prompt: true, models: ["claude-b"], fallbacks: false }),
      )
      assert.strictEqual(body.safe_prompt, undefined)
      assert.deepStrictEqual(warnings, [
        "safe_prompt ignored: not forwarded, since Anthropic rejects unknown fields",
      ])
    }),
  )

  it.effect("replays signed thinking from reasoning_details before the tool calls", () =>
    Effect.gen(function* () {
      const { body } = yield* sentFor(
        callFor(
          {
            messages: [
              { role: "user", content: "Weather?" },
              {
                role: "assistant",
                content: null,
                reasoning_content: "Need the weather tool.",
                reasoning_details: [
                  { type: "reasoning.text", signature: "sig-1", format: "anthropic-claude-v1" },
                  { type: "reasoning.encrypted", data: "opaque" },
                  { type: "reasoning.text", text: "unsigned, cannot be replayed" },
                ],
                tool_calls: [
                  {
                    id: "toolu_a",
                    type: "function",
                    function: { name: "weather", arguments: '{"city":"Oslo"}' },
                  },
                ],
              },
              { role: "tool", tool_call_id: "toolu_a", content: "3C" },
            ],
            tools: [weatherTool],
          },
          { reasoningEffort: "low", includeReasoning: true },
        ),
      )
      const messages = body.messages as ReadonlyArray<{ content: ReadonlyArray<unknown> }>
      assert.deepStrictEqual(messages[1]?.content, [
        { type: "thinking", thinking: "Need the weather tool.", signature: "sig-1" },
        { type: "redacted_thinking", data: "opaque" },
        { type: "tool_use", id: "toolu_a", name: "weather", input: { city: "Oslo" } },
      ])
    }),
  )

  it.effect("refuses n > 1 with a 400 naming the parameter, before any call", () =>
    Effect.gen(function* () {
      const error = yield* refused(callFor({ n: 2 }))
      assert.deepStrictEqual(error.reason, { _tag: "BadRequest", param: "n" })
      assert.isFalse(error.isRetryable)
    }),
  )

  it.effect("refuses response_format json together with tools", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        callFor({ tools: [weatherTool], response_format: { type: "json_object" } }),
      )
      assert.deepStrictEqual(error.reason, { _tag: "BadRequest", param: "response_format" })
    }),
  )

  it.effect("refuses content parts Anthropic has no counterpart for", () =>
    Effect.gen(function* () {
      const audio = { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }
      const error = yield* refused(callFor({ messages: [{ role: "user", content: [audio] }] }))
      assert.deepStrictEqual(error.reason, {
        _tag: "BadRequest",
        param: "messages[0].content[0].type",
      })
    }),
  )

  it.effect("refuses tool call arguments that are not JSON", () =>
    Effect.gen(function* () {
      const error = yield* refused(
        callFor({
          messages: [
            { role: "user", content: "Hi" },
            {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "t", type: "function", function: { name: "weather", arguments: "{oops" } },
              ],
            },
          ],
        }),
      )
      assert.deepStrictEqual(error.reason, {
        _tag: "BadRequest",
        param: "messages[1].tool_calls[0].function.arguments",
      })
    }),
  )
})
