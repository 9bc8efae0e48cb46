import { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletionChunk, FinishReason, ToolCallDelta } from "../../openai/chat-schemas.ts"
import { toWireUsage, type Usage } from "../../usage/usage.ts"
import { invalidOutput } from "./convert-response.ts"
import { convertUsage } from "./convert-usage.ts"
import type { GeminiFunctionCall, GeminiPart, GeminiResponse } from "./gemini-schemas.ts"
import { mapFinishReason } from "./map-finish-reason.ts"
import { applyPartialArg, emptyPartialArgs, type PartialArgs } from "./partial-args.ts"
import { idKey, makeToolCallId } from "./tool-call-id.ts"

type Delta = ChatCompletionChunk["choices"][number]["delta"]

/** A function call whose arguments are still streaming in. */
interface PendingCall {
  readonly index: number
  readonly args: PartialArgs
}

interface CandidateState {
  started: boolean
  finished: boolean
  toolCalls: number
  pending: PendingCall | undefined
}

/** Options of one stream conversion. */
export interface StreamOptions {
  /** The model name the client used, echoed in `model`. */
  readonly model: string
  readonly includeReasoning: boolean
}

/** Turns Gemini stream events into OpenAI chunks; one per stream, it keeps the stream's state. */
export interface StreamConverter {
  /** Chunks for one event, or the error the event means (malformed call, error event). */
  readonly push: (event: GeminiResponse) => ReadonlyArray<ChatCompletionChunk> | GatewayError
  /** The final usage chunk, or an error when the stream stopped before every finish reason. */
  readonly end: () => ReadonlyArray<ChatCompletionChunk> | GatewayError
}

/**
 * Make the converter of one stream. Tool call ids are `call_<responseId>_<n>` (so stable across
 * chunks); a call streamed in pieces (`willContinue` / `partialArgs`) is announced with its id and
 * name first and its arguments follow, whole, when Gemini closes it. Usage is the last
 * `usageMetadata` seen (Google repeats running totals), sent once as a `choices: []` chunk.
 */
export const makeStreamConverter = (options: StreamOptions): StreamConverter => {
  let key: string | undefined
  let created = 0
  let toolNumber = 0
  let usage: Usage | undefined
  let blocked = false
  const candidates = new Map<number, CandidateState>()

  const chunk = (
    index: number,
    delta: Delta,
    finish: FinishReason | null = null,
  ): ChatCompletionChunk => {
    const state = candidateState(index)
    const first = !state.started
    state.started = true
    return {
      id: `chatcmpl-${key ?? ""}`,
      object: "chat.completion.chunk",
      created,
      model: options.model,
      choices: [
        {
          index,
          delta: first ? { role: "assistant", ...delta } : delta,
          finish_reason: finish,
          logprobs: null,
        },
      ],
    }
  }

  const candidateState = (index: number): CandidateState => {
    const existing = candidates.get(index)
    if (existing !== undefined) return existing
    const state: CandidateState = {
      started: false,
      finished: false,
      toolCalls: 0,
      pending: undefined,
    }
    candidates.set(index, state)
    return state
  }

  const toolDelta = (index: number, call: ToolCallDelta): ChatCompletionChunk =>
    chunk(index, { tool_calls: [call] })

  const closePending = (index: number, out: Array<ChatCompletionChunk>): void => {
    const state = candidateState(index)
    const pending = state.pending
    if (pending === undefined) return
    state.pending = undefined
    const args = JSON.stringify(pending.args.args)
    out.push(toolDelta(index, { index: pending.index, function: { arguments: args } }))
  }

  const functionCallPart = (
    index: number,
    call: GeminiFunctionCall,
    signature: string | undefined,
    out: Array<ChatCompletionChunk>,
  ): void => {
    const state = candidateState(index)
    if (call.name === undefined) {
      // A continuation of the call being streamed; without `willContinue` it closes the call.
      const pending = state.pending
      if (pending === undefined) return
      for (const arg of call.partialArgs ?? []) applyPartialArg(pending.args, arg)
      if (call.willContinue !== true) closePending(index, out)
      return
    }

    closePending(index, out)
    const id = makeToolCallId(key ?? "", toolNumber++, signature)
    const position = state.toolCalls++
    const args = emptyPartialArgs()
    for (const arg of call.partialArgs ?? []) applyPartialArg(args, arg)

    if (call.willContinue === true) {
      state.pending = { index: position, args }
      out.push(
        toolDelta(index, {
          index: position,
          id,
          type: "function",
          function: { name: call.name, arguments: "" },
        }),
      )
      return
    }

    const whole = call.args ?? args.args
    out.push(
      toolDelta(index, {
        index: position,
        id,
        type: "function",
        function: { name: call.name, arguments: JSON.stringify(whole) },
      }),
    )
  }

  const part = (index: number, p: GeminiPart, out: Array<ChatCompletionChunk>): void => {
    if (p.functionCall !== undefined)
      functionCallPart(index, p.functionCall, p.thoughtSignature, out)
    else if (p.text !== undefined && p.text !== "") {
      if (p.thought !== true) out.push(chunk(index, { content: p.text }))
      else if (options.includeReasoning) out.push(chunk(index, { reasoning_content: p.text }))
    }
  }

  const push = (event: GeminiResponse): ReadonlyArray<ChatCompletionChunk> | GatewayError => {
    if (key === undefined) {
      key = idKey(event.responseId)
      created = Math.floor(Date.now() / 1000)
    }
    usage = convertUsage(event.usageMetadata) ?? usage

    const out: Array<ChatCompletionChunk> = []
    const list = event.candidates ?? []
    if (list.length === 0 && event.promptFeedback?.blockReason !== undefined) {
      blocked = true
      out.push(chunk(0, {}, "content_filter"))
      candidateState(0).finished = true
      return out
    }

    for (const [position, candidate] of list.entries()) {
      const index = candidate.index ?? position
      for (const p of candidate.content?.parts ?? []) part(index, p, out)
      if (candidate.finishReason === undefined) continue

      closePending(index, out)
      const state = candidateState(index)
      const mapped = mapFinishReason(candidate.finishReason, state.toolCalls > 0)
      if ("invalid" in mapped) return invalidOutput(mapped.invalid, candidate.finishMessage)
      out.push(chunk(index, {}, mapped.finish))
      state.finished = true
    }
    return out
  }

  const end = (): ReadonlyArray<ChatCompletionChunk> | GatewayError => {
    const unfinished = [...candidates.values()].some((state) => !state.finished)
    if (unfinished || (candidates.size === 0 && !blocked))
      return new GatewayError({
        reason: { _tag: "ProviderError" },
        message: "Gemini's stream ended before a finish reason",
        provider: "google",
      })
    if (usage === undefined) return []
    return [
      {
        id: `chatcmpl-${key ?? ""}`,
        object: "chat.completion.chunk",
        created,
        model: options.model,
        choices: [],
        usage: toWireUsage(usage),
      },
    ]
  }

  return { push, end }
}
