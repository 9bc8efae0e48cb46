import { Effect } from "effect"
import { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import { toWireUsage } from "../../usage/usage.ts"
import { StreamEvent } from "./anthropic-schemas.ts"
import { jsonToolName } from "./convert-request.ts"
import type { ResponseOptions } from "./convert-response.ts"
import { convertUsage, mergeUsage, type UsageCounters } from "./convert-usage.ts"
import { mapStopReason } from "./map-stop-reason.ts"
import { anthropicError } from "./parse-error.ts"

type Delta = ChatCompletionChunk["choices"][number]["delta"]

/** What a content block of the stream turned into on the OpenAI side. */
type OpenBlock =
  | { readonly kind: "text" | "json" | "other" }
  | { readonly kind: "tool"; readonly toolIndex: number; argumentsSent: boolean }
  | { readonly kind: "thinking"; signature: string }

/** Turns Anthropic stream events into OpenAI chunks, one event at a time. */
export interface StreamParser {
  /** The chunks one SSE event's JSON data yields; an `error` event fails. */
  readonly push: (data: string) => Effect.Effect<ReadonlyArray<ChatCompletionChunk>, GatewayError>
  /** Called when the body ended: fails when `message_stop` never came (a cut stream). */
  readonly end: Effect.Effect<ReadonlyArray<ChatCompletionChunk>, GatewayError>
}

const knownEvents = new Set([
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "ping",
  "error",
])

const invalidOutput = (message: string) =>
  new GatewayError({ reason: { _tag: "InvalidOutput" }, message, provider: "anthropic" })

const parseJson = (data: string): unknown => {
  try {
    return JSON.parse(data)
  } catch {
    return undefined
  }
}

/**
 * A parser for one stream. Tool calls get OpenAI indexes in the order they start and keep
 * Anthropic's id; usage is the last report of each counter (message_start, then message_delta),
 * emitted once as a final chunk with `choices: []` after the finish chunk.
 */
export const makeStreamParser = (options: ResponseOptions): StreamParser => {
  let id = ""
  let counters: UsageCounters = {}
  let stopReason: string | null | undefined
  let roleSent = false
  let stopped = false
  let toolCount = 0
  const blocks = new Map<number, OpenBlock>()

  const chunk = (
    delta: Delta,
    finishReason: ChatCompletionChunk["choices"][number]["finish_reason"] = null,
  ): ChatCompletionChunk => {
    const withRole = roleSent ? delta : { role: "assistant" as const, ...delta }
    roleSent = true
    return {
      id,
      object: "chat.completion.chunk",
      created: options.created,
      model: options.model,
      choices: [{ index: 0, delta: withRole, finish_reason: finishReason }],
    }
  }

  const finish = (): ReadonlyArray<ChatCompletionChunk> => {
    stopped = true
    const usage = convertUsage(counters)
    const last = chunk({}, mapStopReason(stopReason, options.jsonMode) ?? "stop")
    if (usage === undefined) return [last]
    return [
      last,
      {
        id,
        object: "chat.completion.chunk",
        created: options.created,
        model: options.model,
        choices: [],
        usage: toWireUsage(usage),
      },
    ]
  }

  const onEvent = (event: StreamEvent): ReadonlyArray<ChatCompletionChunk> | GatewayError => {
    switch (event.type) {
      case "message_start":
        id = event.message.id
        counters = mergeUsage(counters, event.message.usage)
        return []
      case "content_block_start":
        return startBlock(event.index, event.content_block)
      case "content_block_delta":
        return blockDelta(event.index, event.delta)
      case "content_block_stop":
        return stopBlock(event.index)
      case "message_delta":
        stopReason = event.delta.stop_reason ?? stopReason
        counters = mergeUsage(counters, event.usage)
        return []
      case "message_stop":
        return finish()
      case "ping":
        return []
      case "error":
        return anthropicError(undefined, event.error)
    }
  }

  const startBlock = (
    index: number,
    block: Readonly<Record<string, unknown>> & { type: string },
  ): ReadonlyArray<ChatCompletionChunk> => {
    if (block.type === "text") {
      blocks.set(index, { kind: "text" })
      return typeof block.text === "string" && block.text !== ""
        ? [chunk({ content: block.text })]
        : []
    }
    if (block.type === "tool_use" && options.jsonMode && block.name === jsonToolName) {
      blocks.set(index, { kind: "json" })
      return []
    }
    if (block.type === "tool_use") {
      const toolIndex = toolCount++
      blocks.set(index, { kind: "tool", toolIndex, argumentsSent: false })
      const call = {
        index: toolIndex,
        id: typeof block.id === "string" ? block.id : "",
        type: "function" as const,
        function: { name: typeof block.name === "string" ? block.name : "", arguments: "" },
      }
      return [chunk({ tool_calls: [call] })]
    }
    if (block.type === "thinking") {
      blocks.set(index, { kind: "thinking", signature: "" })
      const text = typeof block.thinking === "string" ? block.thinking : ""
      return options.includeReasoning && text !== "" ? [chunk({ reasoning_content: text })] : []
    }
    blocks.set(index, { kind: "other" })
    if (
      block.type === "redacted_thinking" &&
      options.includeReasoning &&
      typeof block.data === "string"
    )
      return [
        chunk({
          reasoning_details: [
            { type: "reasoning.encrypted", data: block.data, format: "anthropic-claude-v1", index },
          ],
        }),
      ]
    return []
  }

  const blockDelta = (
    index: number,
    delta: Readonly<Record<string, unknown>> & { type: string },
  ): ReadonlyArray<ChatCompletionChunk> => {
    const block = blocks.get(index)
    const text = (name: string) => (typeof delta[name] === "string" ? (delta[name] as string) : "")
    if (block === undefined) return []
    if (delta.type === "text_delta" && text("text") !== "")
      return [chunk({ content: text("text") })]
    if (delta.type === "input_json_delta" && text("partial_json") !== "") {
      if (block.kind === "json") return [chunk({ content: text("partial_json") })]
      if (block.kind !== "tool") return []
      block.argumentsSent = true
      return [
        chunk({
          tool_calls: [{ index: block.toolIndex, function: { arguments: text("partial_json") } }],
        }),
      ]
    }
    if (delta.type === "thinking_delta" && options.includeReasoning && text("thinking") !== "")
      return [chunk({ reasoning_content: text("thinking") })]
    if (delta.type === "signature_delta" && block.kind === "thinking")
      block.signature += text("signature")
    return []
  }

  const stopBlock = (index: number): ReadonlyArray<ChatCompletionChunk> => {
    const block = blocks.get(index)
    // A call without arguments streams none; OpenAI clients expect parseable JSON text.
    if (block?.kind === "tool" && !block.argumentsSent)
      return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: "{}" } }] })]
    if (block?.kind === "thinking" && block.signature !== "" && options.includeReasoning) {
      const detail = {
        type: "reasoning.text",
        signature: block.signature,
        format: "anthropic-claude-v1",
        index,
      }
      return [chunk({ reasoning_details: [detail] })]
    }
    return []
  }

  const push = (data: string) => {
    if (stopped) return Effect.succeed([])

    const json = parseJson(data)
    const type = (json as { type?: unknown } | undefined)?.type
    if (typeof type !== "string")
      return Effect.fail(
        invalidOutput(`Anthropic sent an unreadable stream event: ${data.slice(0, 200)}`),
      )
    if (!knownEvents.has(type)) return Effect.succeed([])

    const parsed = StreamEvent.safeParse(json)
    if (!parsed.success)
      return Effect.fail(invalidOutput(`Anthropic sent a malformed ${type} event`))
    const out = onEvent(parsed.data)
    return out instanceof GatewayError ? Effect.fail(out) : Effect.succeed(out)
  }

  const end = Effect.suspend(() =>
    stopped
      ? Effect.succeed([])
      : Effect.fail(
          new GatewayError({
            reason: { _tag: "Network" },
            message: "Anthropic stream ended before message_stop",
            provider: "anthropic",
          }),
        ),
  )

  return { push, end }
}
