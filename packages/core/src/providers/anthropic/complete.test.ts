import { assert, describe, it } from "@effect/vitest"
import { readRecorded, requireShared } from "@tollgate/emulator/shared-fixtures"
import { Effect } from "effect"
import { callFor, fakeAnthropic, json } from "./fake-anthropic.ts"
import { anthropicAdapter } from "./index.ts"

const shared = requireShared()

const recorded = (name: string) => json(readRecorded(`anthropic/${name}.json`))

const usage = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
})

describe.skipIf(!shared)("anthropic complete, recorded payloads", () => {
  it.effect("returns recorded text as an OpenAI completion with exact usage", () => {
    const upstream = fakeAnthropic(() => recorded("anthropic-text"))
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}))
      assert.deepStrictEqual(result.response, {
        id: "msg_01VdEjxAP5ahtHKrrRdNBteQ",
        object: "chat.completion",
        created: 0,
        model: "claude-sonnet-4.5",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content:
                "Hello! I'm doing well, thanks for asking. How are you doing today? Is there " +
                "anything I can help you with?",
            },
            finish_reason: "stop",
            logprobs: null,
          },
        ],
        usage: usage(12, 29),
      })
      assert.deepStrictEqual(result.usage, {
        promptTokens: 12,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        completionTokens: 29,
        reasoningTokens: 0,
      })
      assert.deepStrictEqual(result.warnings, [])
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("returns a recorded tool_use as an OpenAI tool call with finish tool_calls", () => {
    const upstream = fakeAnthropic(() => recorded("anthropic-json-tool.1"))
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}))
      const choice = result.response.choices[0]
      assert.strictEqual(choice?.message.content, null)
      assert.strictEqual(choice?.finish_reason, "tool_calls")
      assert.deepStrictEqual(choice?.message.tool_calls, [
        {
          id: "toolu_01Q9ExVZnzZj7E2QQYHYtNUa",
          type: "function",
          function: {
            name: "json",
            arguments: JSON.stringify({
              elements: [
                { location: "San Francisco", temperature: -5, condition: "snowy" },
                { location: "London", temperature: 0, condition: "snowy" },
                { location: "Paris", temperature: 23, condition: "cloudy" },
                { location: "Berlin", temperature: -9, condition: "snowy" },
              ],
            }),
          },
        },
      ])
      assert.deepStrictEqual(result.response.usage, usage(1151, 87))
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("returns the forced json tool's input as content under response_format", () => {
    const upstream = fakeAnthropic(() => recorded("anthropic-json-tool.1"))
    const schema = { type: "object", properties: { elements: { type: "array" } } }
    const format = { type: "json_schema", json_schema: { name: "weather", schema } }
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({ response_format: format }))
      const choice = result.response.choices[0]
      assert.strictEqual(choice?.finish_reason, "stop")
      assert.strictEqual(choice?.message.tool_calls, undefined)
      const content = JSON.parse(choice?.message.content ?? "null")
      assert.strictEqual(content.elements[3].location, "Berlin")
      assert.strictEqual(content.elements.length, 4)

      const body = upstream.sent[0]?.body as Record<string, unknown>
      assert.deepStrictEqual(body.tools, [
        {
          name: "json",
          description: "Respond with the answer as this tool's input.",
          input_schema: schema,
        },
      ])
      assert.deepStrictEqual(body.tool_choice, { type: "tool", name: "json" })
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("returns text and an argument-less tool call with arguments {}", () => {
    const upstream = fakeAnthropic(() => recorded("anthropic-tool-no-args"))
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}))
      const choice = result.response.choices[0]
      assert.isTrue(choice?.message.content?.startsWith("<thinking>\nThe updateIssueList tool"))
      assert.isTrue(
        choice?.message.content?.endsWith("Okay, I will update the current issue list:"),
      )
      assert.deepStrictEqual(choice?.message.tool_calls, [
        {
          id: "toolu_01LRmxn9vGM1d2DZSDBowdZ1",
          type: "function",
          function: { name: "updateIssueList", arguments: "{}" },
        },
      ])
      assert.strictEqual(choice?.finish_reason, "tool_calls")
      assert.deepStrictEqual(result.response.usage, usage(602, 93))
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("returns thinking as reasoning_content with its signature when asked", () => {
    const upstream = fakeAnthropic(() => recorded("anthropic-clear-thinking.1"))
    const controls = { reasoningEffort: "low", includeReasoning: true }
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}, controls))
      const message = result.response.choices[0]?.message
      assert.strictEqual(message?.content, "925 ÷ 5 = 185")
      assert.strictEqual(message?.reasoning_content, "925 divided by 5 = 185")
      const details = message?.reasoning_details as ReadonlyArray<Record<string, unknown>>
      assert.strictEqual(details.length, 1)
      assert.strictEqual(details[0]?.type, "reasoning.text")
      assert.isTrue(String(details[0]?.signature).startsWith("Er4BCkYICxgCKkCoxqLHLrx4mFL9"))
      assert.strictEqual(result.response.choices[0]?.finish_reason, "stop")
      // Thinking is billed inside output_tokens; Anthropic does not report it apart.
      assert.deepStrictEqual(result.response.usage, usage(69, 33))
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("leaves thinking out when the client did not ask for reasoning", () => {
    const upstream = fakeAnthropic(() => recorded("anthropic-clear-thinking.1"))
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}))
      const message = result.response.choices[0]?.message
      assert.deepStrictEqual(message, { role: "assistant", content: "925 ÷ 5 = 185" })
    }).pipe(Effect.provide(upstream.layer))
  })
})

const message = (overrides: Record<string, unknown>) => ({
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5",
  content: [{ type: "text", text: "ok" }],
  stop_reason: "end_turn",
  usage: { input_tokens: 10, output_tokens: 5 },
  ...overrides,
})

describe("anthropic complete, synthetic answers", () => {
  it.effect("keeps cache reads and cache writes apart and counts both in prompt_tokens", () => {
    const upstream = fakeAnthropic(() =>
      json(
        message({
          usage: {
            input_tokens: 100,
            cache_read_input_tokens: 50,
            cache_creation_input_tokens: 25,
            output_tokens: 10,
          },
        }),
      ),
    )
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}))
      assert.deepStrictEqual(result.usage, {
        promptTokens: 175,
        cachedTokens: 50,
        cacheWriteTokens: 25,
        completionTokens: 10,
        reasoningTokens: 0,
      })
      assert.deepStrictEqual(result.response.usage, {
        prompt_tokens: 175,
        completion_tokens: 10,
        total_tokens: 185,
        prompt_tokens_details: { cached_tokens: 50, cache_write_tokens: 25 },
        completion_tokens_details: { reasoning_tokens: 0 },
      })
    }).pipe(Effect.provide(upstream.layer))
  })

  it.effect("leaves usage unknown when Anthropic reported none", () => {
    const upstream = fakeAnthropic(() => json(message({ usage: undefined })))
    return Effect.gen(function* () {
      const result = yield* anthropicAdapter.complete(callFor({}))
      assert.strictEqual(result.usage, undefined)
      assert.strictEqual(result.response.usage, undefined)
    }).pipe(Effect.provide(upstream.layer))
  })

  for (const [stopReason, finish] of [
    ["refusal", "content_filter"],
    ["max_tokens", "length"],
    ["stop_sequence", "stop"],
    ["pause_turn", "length"],
  ] as const) {
    it.effect(`maps stop_reason ${stopReason} to finish_reason ${finish}`, () => {
      const upstream = fakeAnthropic(() => json(message({ stop_reason: stopReason })))
      return Effect.gen(function* () {
        const result = yield* anthropicAdapter.complete(callFor({}))
        assert.strictEqual(result.response.choices[0]?.finish_reason, finish)
      }).pipe(Effect.provide(upstream.layer))
    })
  }

  it.effect("posts to /messages with the key and the API version", () => {
    const upstream = fakeAnthropic(() => json(message({})))
    return Effect.gen(function* () {
      yield* anthropicAdapter.complete(callFor({}))
      const sent = upstream.sent[0]
      assert.strictEqual(sent?.url, "https://api.anthropic.test/v1/messages")
      assert.strictEqual(sent?.headers["x-api-key"], "sk-ant-test")
      assert.strictEqual(sent?.headers["anthropic-version"], "2023-06-01")
    }).pipe(Effect.provide(upstream.layer))
  })
})
