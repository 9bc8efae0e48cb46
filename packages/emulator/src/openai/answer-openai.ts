import {
  type Exchange,
  type Frame,
  type StreamEnding,
  sendCutJson,
  sendStream,
  waitForWholeAnswer,
} from "../exchange.ts"
import { planReply, type ReplyPlan } from "../plan-reply.ts"
import { countTokens, toPieces } from "../tokens.ts"
import { openaiError } from "./openai-errors.ts"
import {
  type OpenAIChatRequest,
  openaiConversation,
  reasoningTokens,
} from "./read-openai-request.ts"

const refusalText = "I'm sorry, but I can't help with that request."

type ToolCallOut = { id: string; name: string; argumentsJson: string }

/** What the answer carries once the fault (if any) shaped it. */
type Answer = {
  plan: ReplyPlan
  text: string[]
  refusal: string[]
  toolCall: ToolCallOut | undefined
  finishReason: "stop" | "length" | "tool_calls"
  completionTokens: number
  reasoningTokens: number
}

const shapeAnswer = (exchange: Exchange, request: OpenAIChatRequest): Answer => {
  const conversation = openaiConversation(request)
  const fault = exchange.fault
  const malformed = fault?.kind === "malformed-tool-call"
  // A malformed tool call needs a tool call to break, so it plans as if a tool were due:
  const plan = planReply(
    malformed ? { ...conversation, lastTurn: "user", toolChoice: "auto" } : conversation,
    exchange.settings.naturalTokens,
  )
  const reasoning = reasoningTokens(exchange.model, request.reasoning_effort)

  if (fault?.kind === "blocked") {
    const refusal = toPieces(refusalText.split(" "))
    return {
      plan,
      text: [],
      refusal,
      toolCall: undefined,
      finishReason: "stop",
      completionTokens: refusal.length + reasoning,
      reasoningTokens: reasoning,
    }
  }

  if (plan.toolCall !== undefined || malformed) {
    const call = plan.toolCall
    const json = call?.argumentsJson ?? "{}"
    // A malformed call carries arguments that are not valid JSON, as real models sometimes do:
    const argumentsJson = malformed ? json.slice(0, Math.max(1, json.length - 1)) : json
    const name = call?.name ?? "tool"
    return {
      plan,
      text: [],
      refusal: [],
      toolCall: { id: `call_${call?.idSuffix ?? plan.seed.toString(36)}`, name, argumentsJson },
      finishReason: "tool_calls",
      completionTokens: countTokens(name) + countTokens(argumentsJson) + reasoning,
      reasoningTokens: reasoning,
    }
  }

  return {
    plan,
    text: plan.pieces,
    refusal: [],
    toolCall: undefined,
    finishReason: plan.finish === "length" ? "length" : "stop",
    completionTokens: plan.outputTokens + reasoning,
    reasoningTokens: reasoning,
  }
}

const usageOf = (exchange: Exchange, answer: Answer) => {
  const prompt = answer.plan.promptTokens
  return {
    prompt_tokens: prompt,
    completion_tokens: answer.completionTokens,
    total_tokens: prompt + answer.completionTokens,
    prompt_tokens_details: {
      cached_tokens: Math.min(exchange.settings.cachedTokens, prompt),
      audio_tokens: 0,
    },
    completion_tokens_details: {
      reasoning_tokens: answer.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

const completionBody = (exchange: Exchange, answer: Answer, id: string, created: number) => ({
  id,
  object: "chat.completion",
  created,
  model: exchange.model,
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content:
          answer.toolCall !== undefined || answer.refusal.length > 0 ? null : answer.text.join(""),
        refusal: answer.refusal.length > 0 ? answer.refusal.join("") : null,
        annotations: [],
        ...(answer.toolCall === undefined
          ? {}
          : {
              tool_calls: [
                {
                  id: answer.toolCall.id,
                  type: "function",
                  function: {
                    name: answer.toolCall.name,
                    arguments: answer.toolCall.argumentsJson,
                  },
                },
              ],
            }),
      },
      logprobs: null,
      finish_reason: answer.finishReason,
    },
  ],
  usage: usageOf(exchange, answer),
  service_tier: "default",
  system_fingerprint: "fp_emulator",
})

// Argument JSON goes out in a few fragments, as real streams split it:
const fragments = (json: string): string[] => {
  const size = Math.max(1, Math.ceil(json.length / 3))
  const parts: string[] = []
  for (let at = 0; at < json.length; at += size) parts.push(json.slice(at, at + size))
  return parts
}

const streamFrames = (
  exchange: Exchange,
  answer: Answer,
  id: string,
  created: number,
  includeUsage: boolean,
): Frame[] => {
  const base = {
    id,
    object: "chat.completion.chunk",
    created,
    model: exchange.model,
    service_tier: "default",
    system_fingerprint: "fp_emulator",
  }
  const chunk = (delta: unknown, finish: string | null, tokens: number): Frame => ({
    data: `data: ${JSON.stringify({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    })}\n\n`,
    tokens,
  })

  const frames: Frame[] = []
  const call = answer.toolCall
  if (call !== undefined) {
    const opening = {
      index: 0,
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: "" },
    }
    frames.push(chunk({ role: "assistant", content: null, tool_calls: [opening] }, null, 1))
    for (const part of fragments(call.argumentsJson)) {
      frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }, null, 1))
    }
  } else if (answer.refusal.length > 0) {
    frames.push(chunk({ role: "assistant", content: null, refusal: "" }, null, 0))
    for (const piece of answer.refusal) frames.push(chunk({ refusal: piece }, null, 1))
  } else {
    frames.push(chunk({ role: "assistant", content: "", refusal: null }, null, 0))
    for (const piece of answer.text) frames.push(chunk({ content: piece }, null, 1))
  }
  frames.push(chunk({}, answer.finishReason, 0))

  if (includeUsage) {
    const usage = { ...base, choices: [], usage: usageOf(exchange, answer) }
    frames.push({ data: `data: ${JSON.stringify(usage)}\n\n`, tokens: 0 })
  }
  frames.push({ data: "data: [DONE]\n\n", tokens: 0 })
  return frames
}

let sequence = 0

/** Answer an OpenAI chat completion, streamed or not, shaped by the request's fault. */
export const answerOpenAI = async (
  exchange: Exchange,
  request: OpenAIChatRequest,
): Promise<void> => {
  const answer = shapeAnswer(exchange, request)
  const id = `chatcmpl-emu${(++sequence).toString(36)}${answer.plan.seed.toString(36)}`
  const created = Math.floor(Date.now() / 1000)
  const headers = { "x-request-id": `req_${id.slice(9)}`, "openai-processing-ms": "1" }
  const fault = exchange.fault

  if (request.stream !== true) {
    const body = completionBody(exchange, answer, id, created)
    if (!(await waitForWholeAnswer(exchange, answer.completionTokens))) return
    if (fault?.kind === "cut") return sendCutJson(exchange, body)
    return exchange.sendJson(200, body, headers)
  }

  const includeUsage = request.stream_options?.include_usage === true
  const frames = streamFrames(exchange, answer, id, created, includeUsage)
  const error = openaiError(500, "The server had an error while processing your request.")
  const ending: StreamEnding =
    fault?.kind === "cut"
      ? { kind: "cut", afterFrames: fault.afterChunks }
      : fault?.kind === "stream-error"
        ? {
            kind: "error",
            afterFrames: fault.afterChunks,
            frame: `data: ${JSON.stringify(error.body)}\n\n`,
          }
        : { kind: "complete" }
  await sendStream(exchange, headers, frames, ending)
}
