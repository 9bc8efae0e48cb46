import {
  type Exchange,
  type Frame,
  type StreamEnding,
  sendCutJson,
  sendStream,
  waitForWholeAnswer,
} from "../exchange.ts"
import { planReply, type ReplyPlan } from "../plan-reply.ts"
import { generateWords, hashString } from "../tokens.ts"
import { geminiStreamError } from "./gemini-errors.ts"
import { thoughtsTokens } from "./gemini-thinking.ts"
import { type GeminiRequest, geminiConversation } from "./read-gemini-request.ts"

type Part = Record<string, unknown>

/** The reply in Gemini's terms: parts, finish reason and the token counts behind usage. */
type Answer = {
  plan: ReplyPlan
  thoughtParts: Part[]
  pieces: string[]
  call: Part | undefined
  finishReason: "STOP" | "MAX_TOKENS"
  thoughts: number
  /** Gemini 3 signs a text answer that followed thinking, as it signs function calls. */
  textSignature: string | undefined
}

// A stand-in signature: opaque base64, stable per prompt, as clients must send it back:
const signatureFor = (seed: number): string =>
  Buffer.from(`emulator-thought-signature:${seed.toString(16)}`).toString("base64")

const shapeAnswer = (exchange: Exchange, request: GeminiRequest): Answer => {
  const conversation = geminiConversation(request)
  const seed = hashString(conversation.texts.join("\n"))
  const config = request.generationConfig?.thinkingConfig
  const limit = request.generationConfig?.maxOutputTokens

  // maxOutputTokens caps thoughts and answer together: thinking comes first, the answer gets
  // what is left and ends in MAX_TOKENS when that is too little, as on Gemini 2.5 and 3:
  const wanted = thoughtsTokens(exchange.model, config, seed)
  const thoughts = limit === undefined ? wanted : Math.min(wanted, Math.max(0, limit))
  const plan = planReply(
    limit === undefined ? conversation : { ...conversation, maxTokens: limit - thoughts },
    exchange.settings.naturalTokens,
  )

  // Thought summaries are shorter than the thinking they summarise, as Google's are:
  const thoughtParts: Part[] =
    thoughts > 0 && config?.includeThoughts === true
      ? [
          {
            text: generateWords(plan.seed ^ 0x5bd1e995, Math.min(thoughts, 8)).join(" "),
            thought: true,
          },
        ]
      : []

  const toolCall = plan.toolCall
  const call: Part | undefined =
    toolCall === undefined
      ? undefined
      : {
          functionCall: { name: toolCall.name, args: toolCall.arguments },
          ...(exchange.model.startsWith("gemini-3")
            ? { thoughtSignature: signatureFor(plan.seed) }
            : {}),
        }

  return {
    plan,
    thoughtParts,
    pieces: plan.pieces,
    call,
    finishReason: plan.finish === "length" ? "MAX_TOKENS" : "STOP",
    thoughts,
    textSignature:
      exchange.model.startsWith("gemini-3") && thoughts > 0 ? signatureFor(plan.seed) : undefined,
  }
}

const usageMetadata = (exchange: Exchange, answer: Answer, candidates: number) => {
  const prompt = answer.plan.promptTokens
  const cached = Math.min(exchange.settings.cachedTokens, prompt)
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + answer.thoughts,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
    ...(answer.thoughts > 0 ? { thoughtsTokenCount: answer.thoughts } : {}),
  }
}

const envelope = (exchange: Exchange, responseId: string) => ({
  modelVersion: exchange.model,
  responseId,
})

const promptOnlyUsage = (answer: Answer) => ({
  promptTokenCount: answer.plan.promptTokens,
  totalTokenCount: answer.plan.promptTokens,
  promptTokensDetails: [{ modality: "TEXT", tokenCount: answer.plan.promptTokens }],
})

/** Bodies for the two faults that are 200 answers: a blocked prompt, a malformed call. */
const faultBody = (exchange: Exchange, answer: Answer, responseId: string): unknown => {
  if (exchange.fault?.kind === "blocked") {
    return {
      promptFeedback: {
        blockReason: "SAFETY",
        safetyRatings: [
          { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
        ],
      },
      usageMetadata: promptOnlyUsage(answer),
      ...envelope(exchange, responseId),
    }
  }
  if (exchange.fault?.kind === "malformed-tool-call") {
    return {
      candidates: [
        {
          finishReason: "MALFORMED_FUNCTION_CALL",
          finishMessage: "Malformed function call: call:default_api.tool{arg: <unterminated>",
          index: 0,
        },
      ],
      usageMetadata: promptOnlyUsage(answer),
      ...envelope(exchange, responseId),
    }
  }
  return undefined
}

const candidate = (parts: Part[], finishReason: string | undefined) => ({
  content: { parts, role: "model" },
  ...(finishReason === undefined ? {} : { finishReason }),
  index: 0,
})

const wholeBody = (exchange: Exchange, answer: Answer, responseId: string) => {
  const signature =
    answer.textSignature === undefined ? {} : { thoughtSignature: answer.textSignature }
  const output = answer.call ?? { text: answer.pieces.join(""), ...signature }
  const whole = candidate([...answer.thoughtParts, output], answer.finishReason)
  return {
    candidates: [
      answer.call === undefined
        ? whole
        : { ...whole, finishMessage: "Model generated function call(s)." },
    ],
    usageMetadata: usageMetadata(exchange, answer, answer.plan.outputTokens),
    ...envelope(exchange, responseId),
  }
}

const streamBodies = (exchange: Exchange, answer: Answer, responseId: string): Frame[] => {
  const frame = (body: unknown, tokens: number): Frame => ({
    data: `data: ${JSON.stringify(body)}\r\n\r\n`,
    tokens,
  })
  const chunk = (parts: Part[], finish: string | undefined, candidates: number) => ({
    candidates: [candidate(parts, finish)],
    usageMetadata: usageMetadata(exchange, answer, candidates),
    ...envelope(exchange, responseId),
  })

  const frames: Frame[] = []
  if (answer.thoughtParts.length > 0)
    frames.push(frame(chunk(answer.thoughtParts, undefined, 0), 1))

  if (answer.call !== undefined) {
    frames.push(frame(chunk([answer.call], answer.finishReason, answer.plan.outputTokens), 1))
    return frames
  }
  if (answer.pieces.length === 0) {
    frames.push(frame(chunk([{ text: "" }], answer.finishReason, 0), 0))
    return frames
  }
  // Usage in every chunk is the running total so far, as Google sends it:
  const signature = answer.textSignature
  answer.pieces.forEach((piece, i) => {
    const last = i === answer.pieces.length - 1 && signature === undefined
    frames.push(frame(chunk([{ text: piece }], last ? answer.finishReason : undefined, i + 1), 1))
  })
  // Gemini 3 ends a thought-out answer with an empty, signed text part carrying the finish:
  if (signature !== undefined) {
    const parts = [{ text: "", thoughtSignature: signature }]
    frames.push(frame(chunk(parts, answer.finishReason, answer.pieces.length), 0))
  }
  return frames
}

let sequence = 0

/** Answer `generateContent` or `streamGenerateContent` (SSE with `alt=sse`, else a JSON array). */
export const answerGemini = async (
  exchange: Exchange,
  request: GeminiRequest & { stream: boolean; sse: boolean },
): Promise<void> => {
  const answer = shapeAnswer(exchange, request)
  const responseId = `emu${(++sequence).toString(36)}${answer.plan.seed.toString(36)}`
  const special = faultBody(exchange, answer, responseId)
  const fault = exchange.fault

  if (!request.stream || !request.sse) {
    const outputTokens = special === undefined ? answer.plan.outputTokens + answer.thoughts : 0
    if (!(await waitForWholeAnswer(exchange, outputTokens))) return
    const whole = special ?? wholeBody(exchange, answer, responseId)
    const body = request.stream ? streamBodiesAsArray(exchange, answer, responseId, special) : whole
    if (fault?.kind === "cut") return sendCutJson(exchange, body)
    return exchange.sendJson(200, body)
  }

  const frames =
    special === undefined
      ? streamBodies(exchange, answer, responseId)
      : [{ data: `data: ${JSON.stringify(special)}\r\n\r\n`, tokens: 0 }]
  const ending: StreamEnding =
    fault?.kind === "cut"
      ? { kind: "cut", afterFrames: fault.afterChunks }
      : fault?.kind === "stream-error"
        ? {
            kind: "error",
            afterFrames: fault.afterChunks,
            frame: `data: ${JSON.stringify(geminiStreamError().body)}\r\n\r\n`,
          }
        : { kind: "complete" }
  await sendStream(exchange, {}, frames, ending)
}

// Without `alt=sse`, streamGenerateContent answers one JSON array of the same chunks:
const streamBodiesAsArray = (
  exchange: Exchange,
  answer: Answer,
  responseId: string,
  special: unknown,
): unknown[] =>
  special === undefined
    ? streamBodies(exchange, answer, responseId).map(
        (frame) => JSON.parse(frame.data.slice(6)) as unknown,
      )
    : [special]
