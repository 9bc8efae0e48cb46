import {
  type Exchange,
  type Frame,
  type StreamEnding,
  sendCutJson,
  sendStream,
  waitForWholeAnswer,
} from "../exchange.ts"
import { planReply, type ReplyPlan } from "../plan-reply.ts"
import { generateWords, hashString, toPieces } from "../tokens.ts"
import { anthropicErrorEvent } from "./anthropic-errors.ts"
import { type AnthropicRequest, anthropicConversation } from "./read-anthropic-request.ts"

type Block = Record<string, unknown>

/** The reply in Anthropic's terms: blocks, stop reason and the token counts behind usage. */
type Answer = {
  plan: ReplyPlan
  thinking: string[]
  signature: string
  text: string[]
  toolUse: { id: string; name: string; input: Record<string, unknown>; json: string } | undefined
  stopReason: "end_turn" | "max_tokens" | "tool_use" | "refusal"
  outputTokens: number
}

const shapeAnswer = (exchange: Exchange, request: AnthropicRequest): Answer => {
  const prompt = anthropicConversation(request, 0)
  const seed = hashString(prompt.texts.join("\n"))
  const thinkingOn = request.thinking?.type === "enabled" || request.thinking?.type === "adaptive"
  const budget = request.thinking?.budget_tokens ?? request.max_tokens
  const thinkingCount = thinkingOn ? Math.max(1, Math.min(budget, 8 + (seed % 12))) : 0
  const thinking = toPieces(generateWords(seed ^ 0x27d4eb2d, thinkingCount))
  const fault = exchange.fault
  const malformed = fault?.kind === "malformed-tool-call"
  const conversation = anthropicConversation(request, thinkingCount)
  const plan = planReply(
    malformed ? { ...conversation, lastTurn: "user", toolChoice: "auto" } : conversation,
    exchange.settings.naturalTokens,
  )
  const signature = Buffer.from(`emulator-signature:${seed.toString(16)}`).toString("base64")

  if (fault?.kind === "blocked") {
    return {
      plan,
      thinking: [],
      signature,
      text: [],
      toolUse: undefined,
      stopReason: "refusal",
      outputTokens: 0,
    }
  }

  const call = plan.toolCall
  if (call !== undefined) {
    // Anthropic checks tool input against its schema, so a "malformed" call is an empty input:
    const input = malformed ? {} : call.arguments
    return {
      plan,
      thinking,
      signature,
      text: [],
      toolUse: {
        id: `toolu_emu${call.idSuffix}`,
        name: call.name,
        input,
        json: JSON.stringify(input),
      },
      stopReason: "tool_use",
      outputTokens: thinking.length + plan.outputTokens,
    }
  }

  return {
    plan,
    thinking,
    signature,
    text: plan.pieces,
    toolUse: undefined,
    stopReason: plan.finish === "length" ? "max_tokens" : "end_turn",
    outputTokens: thinking.length + plan.outputTokens,
  }
}

const usageParts = (exchange: Exchange, answer: Answer) => {
  // Anthropic's input_tokens exclude the cached parts of the prompt, which are billed apart:
  const prompt = answer.plan.promptTokens
  const read = Math.min(exchange.settings.cachedTokens, prompt)
  const write = Math.min(exchange.settings.cacheWriteTokens, prompt - read)
  return {
    input_tokens: prompt - read - write,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  }
}

const contentBlocks = (answer: Answer): Block[] => {
  const blocks: Block[] = []
  if (answer.thinking.length > 0) {
    blocks.push({
      type: "thinking",
      thinking: answer.thinking.join(""),
      signature: answer.signature,
    })
  }
  if (answer.toolUse !== undefined) {
    const { id, name, input } = answer.toolUse
    blocks.push({ type: "tool_use", id, name, input })
  } else if (answer.text.length > 0 || answer.stopReason !== "refusal") {
    blocks.push({ type: "text", text: answer.text.join("") })
  }
  return blocks
}

const messageBody = (exchange: Exchange, answer: Answer, id: string) => ({
  id,
  type: "message",
  role: "assistant",
  model: exchange.model,
  content: contentBlocks(answer),
  stop_reason: answer.stopReason,
  stop_sequence: null,
  usage: fullUsage(exchange, answer, answer.outputTokens),
})

// The usage of a whole message (and of message_start), with the cache-write split by lifetime:
const fullUsage = (exchange: Exchange, answer: Answer, outputTokens: number) => {
  const parts = usageParts(exchange, answer)
  return {
    ...parts,
    cache_creation: {
      ephemeral_5m_input_tokens: parts.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    },
    output_tokens: outputTokens,
    service_tier: "standard",
  }
}

const event = (type: string, body: Record<string, unknown>, tokens = 0): Frame => ({
  data: `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`,
  tokens,
})

const streamFrames = (exchange: Exchange, answer: Answer, id: string): Frame[] => {
  const usage = usageParts(exchange, answer)
  const frames: Frame[] = [
    event("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model: exchange.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: fullUsage(exchange, answer, 1),
      },
    }),
  ]

  let index = 0
  const block = (start: Block, deltas: Array<[Block, number]>) => {
    frames.push(event("content_block_start", { index, content_block: start }))
    if (index === 0) frames.push(event("ping", {}))
    for (const [delta, tokens] of deltas)
      frames.push(event("content_block_delta", { index, delta }, tokens))
    frames.push(event("content_block_stop", { index }))
    index++
  }

  if (answer.thinking.length > 0) {
    block({ type: "thinking", thinking: "", signature: "" }, [
      ...answer.thinking.map((piece): [Block, number] => [
        { type: "thinking_delta", thinking: piece },
        1,
      ]),
      [{ type: "signature_delta", signature: answer.signature }, 0],
    ])
  }
  if (answer.toolUse !== undefined) {
    const { id: toolId, name, json } = answer.toolUse
    const half = Math.ceil(json.length / 2)
    block({ type: "tool_use", id: toolId, name, input: {} }, [
      [{ type: "input_json_delta", partial_json: "" }, 0],
      [{ type: "input_json_delta", partial_json: json.slice(0, half) }, 1],
      [{ type: "input_json_delta", partial_json: json.slice(half) }, 1],
    ])
  } else if (answer.stopReason !== "refusal" || answer.text.length > 0) {
    block(
      { type: "text", text: "" },
      answer.text.map((piece): [Block, number] => [{ type: "text_delta", text: piece }, 1]),
    )
  }

  frames.push(
    event("message_delta", {
      delta: { stop_reason: answer.stopReason, stop_sequence: null },
      usage: { ...usage, output_tokens: answer.outputTokens },
    }),
    event("message_stop", {}),
  )
  return frames
}

let sequence = 0

/** Answer an Anthropic Messages request, streamed (named SSE events) or not. */
export const answerAnthropic = async (
  exchange: Exchange,
  request: AnthropicRequest,
): Promise<void> => {
  const answer = shapeAnswer(exchange, request)
  const id = `msg_emu${(++sequence).toString(36)}${answer.plan.seed.toString(36)}`
  const headers = { "request-id": `req_${id.slice(4)}` }
  const fault = exchange.fault

  if (request.stream !== true) {
    const body = messageBody(exchange, answer, id)
    if (!(await waitForWholeAnswer(exchange, answer.outputTokens))) return
    if (fault?.kind === "cut") return sendCutJson(exchange, body)
    return exchange.sendJson(200, body, headers)
  }

  const ending: StreamEnding =
    fault?.kind === "cut"
      ? { kind: "cut", afterFrames: fault.afterChunks }
      : fault?.kind === "stream-error"
        ? { kind: "error", afterFrames: fault.afterChunks, frame: anthropicErrorEvent() }
        : { kind: "complete" }
  await sendStream(
    exchange,
    { ...headers, "cache-control": "no-cache" },
    streamFrames(exchange, answer, id),
    ending,
  )
}
