import { Effect } from "effect"
import type { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatMessage, ContentPart } from "../../openai/chat-schemas.ts"
import { badRequest } from "./bad-request.ts"
import { convertImageUrl, inlineFromDataUrl } from "./convert-image.ts"
import { signatureFromExtra, signatureFromId } from "./tool-call-id.ts"

type Json = Record<string, unknown>

/** One turn of a Gemini conversation. */
export interface GeminiContent {
  readonly role: "user" | "model"
  readonly parts: Array<Json>
}

/** The conversation as Gemini wants it. */
export interface ConvertedMessages {
  readonly systemInstruction: { readonly parts: ReadonlyArray<{ text: string }> } | undefined
  readonly contents: ReadonlyArray<GeminiContent>
}

/**
 * Google's documented placeholder for a function call whose signature was lost (e.g. a
 * conversation begun on another provider); Gemini 3 rejects such a call without one.
 */
export const skipSignature = "skip_thought_signature_validator"

/**
 * OpenAI messages -> `systemInstruction` + `contents`. Leading system/developer messages become
 * the system instruction; tool results become `functionResponse` parts named after the call they
 * answer; neighbours with the same role are merged, as Gemini expects turns to alternate.
 */
export const convertMessages = Effect.fn("gemini.convertMessages")(function* (
  messages: ReadonlyArray<ChatMessage>,
  options: { readonly signaturesRequired: boolean },
  warnings: Array<string>,
) {
  const leading = messages.findIndex((m) => m.role !== "system" && m.role !== "developer")
  const systemCount = leading < 0 ? messages.length : leading

  const systemTexts: Array<{ text: string }> = []
  for (let i = 0; i < systemCount; i++) {
    const message = messages[i]
    if (message === undefined) continue
    systemTexts.push({ text: yield* textOnly(message.content ?? "", `messages[${i}].content`) })
  }

  const namesById = new Map<string, string>()
  const turns: Array<GeminiContent> = []
  for (let i = systemCount; i < messages.length; i++) {
    const message = messages[i]
    if (message === undefined) continue
    const turn = yield* convertMessage(message, i, namesById, options, warnings)
    if (turn !== undefined) turns.push(turn)
  }

  // Gemini needs at least one turn: a conversation of system messages only becomes a user turn.
  if (turns.length === 0)
    return {
      systemInstruction: undefined,
      contents: [{ role: "user", parts: systemTexts }],
    } satisfies ConvertedMessages

  return {
    systemInstruction: systemTexts.length > 0 ? { parts: systemTexts } : undefined,
    contents: mergeNeighbours(turns),
  } satisfies ConvertedMessages
})

const convertMessage = Effect.fnUntraced(function* (
  message: ChatMessage,
  index: number,
  namesById: Map<string, string>,
  options: { readonly signaturesRequired: boolean },
  warnings: Array<string>,
) {
  const param = `messages[${index}]`
  switch (message.role) {
    case "system":
    case "developer": {
      warnings.push(
        `${param}: a ${message.role} message after the conversation began was sent as user text`,
      )
      const text = yield* textOnly(message.content, `${param}.content`)
      return { role: "user", parts: [{ text }] } satisfies GeminiContent
    }
    case "user": {
      const parts = yield* userParts(message.content, param, warnings)
      return { role: "user", parts } satisfies GeminiContent
    }
    case "assistant": {
      const parts: Array<Json> = []
      const text = yield* textOnly(message.content ?? "", `${param}.content`)
      if (text !== "") parts.push({ text })
      for (const [n, call] of (message.tool_calls ?? []).entries()) {
        namesById.set(call.id, call.function.name)
        const args = yield* parseArguments(call.function.arguments, `${param}.tool_calls[${n}]`)
        const signature =
          signatureFromExtra(call) ??
          signatureFromId(call.id) ??
          (options.signaturesRequired && n === 0 ? skipSignature : undefined)
        if (signature === skipSignature)
          warnings.push(`${param}.tool_calls[0]: no Gemini thought signature; validation skipped`)
        parts.push({
          functionCall: { name: call.function.name, args },
          ...(signature === undefined ? {} : { thoughtSignature: signature }),
        })
      }
      return parts.length > 0 ? ({ role: "model", parts } satisfies GeminiContent) : undefined
    }
    case "tool": {
      const name = namesById.get(message.tool_call_id)
      if (name === undefined)
        return yield* Effect.fail(
          badRequest(
            `tool_call_id ${message.tool_call_id} answers no earlier assistant tool call`,
            `${param}.tool_call_id`,
          ),
        )
      const text = yield* textOnly(message.content, `${param}.content`)
      return {
        role: "user",
        parts: [{ functionResponse: { name, response: toolResponse(text) } }],
      } satisfies GeminiContent
    }
  }
})

/** A JSON object result is passed as is (Gemini reads it structured), anything else wrapped. */
const toolResponse = (text: string): Json => {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return { ...value }
  } catch {
    // Plain text result: wrapped below.
  }
  return { output: text }
}

const parseArguments = (raw: string, param: string): Effect.Effect<Json, GatewayError> => {
  if (raw.trim() === "") return Effect.succeed({})
  try {
    const value: unknown = JSON.parse(raw)
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return Effect.succeed({ ...value })
  } catch {
    // Reported below.
  }
  return Effect.fail(
    badRequest("Tool call arguments must be a JSON object", `${param}.function.arguments`),
  )
}

const textOnly = (
  content: string | ReadonlyArray<ContentPart>,
  param: string,
): Effect.Effect<string, GatewayError> => {
  if (typeof content === "string") return Effect.succeed(content)
  const texts: Array<string> = []
  for (const [n, part] of content.entries()) {
    // An assistant's refusal part is text the model said, so it goes back as text.
    const text = part.type === "refusal" ? part.refusal : "text" in part ? part.text : undefined
    if ((part.type !== "text" && part.type !== "refusal") || typeof text !== "string")
      return Effect.fail(
        badRequest(`Only text parts are allowed here, got ${part.type}`, `${param}[${n}]`),
      )
    texts.push(text)
  }
  return Effect.succeed(texts.join("\n"))
}

const userParts = Effect.fnUntraced(function* (
  content: string | ReadonlyArray<ContentPart>,
  param: string,
  warnings: Array<string>,
) {
  if (typeof content === "string") return [{ text: content }]
  const parts: Array<Json> = []
  for (const [n, part] of content.entries()) {
    const at = `${param}.content[${n}]`
    const p: Json = part
    if (part.type === "text" && typeof p.text === "string") parts.push({ text: p.text })
    else if (
      part.type === "image_url" &&
      isObject(p.image_url) &&
      typeof p.image_url.url === "string"
    )
      parts.push(yield* convertImageUrl(p.image_url.url, at, warnings))
    else if (part.type === "input_audio" && isObject(p.input_audio)) {
      const { data, format } = p.input_audio
      if (typeof data !== "string" || typeof format !== "string")
        return yield* Effect.fail(badRequest("input_audio needs data and format", at))
      const mimeType = format === "mp3" ? "audio/mpeg" : `audio/${format}`
      parts.push({ inlineData: { mimeType, data } })
    } else if (part.type === "file" && isObject(p.file) && typeof p.file.file_data === "string")
      parts.push(yield* inlineFromDataUrl(p.file.file_data, at))
    else
      return yield* Effect.fail(
        badRequest(`Content part ${part.type} is not supported by Gemini`, at),
      )
  }
  return parts
})

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const mergeNeighbours = (turns: ReadonlyArray<GeminiContent>): Array<GeminiContent> => {
  const merged: Array<GeminiContent> = []
  for (const turn of turns) {
    const last = merged.at(-1)
    if (last !== undefined && last.role === turn.role) last.parts.push(...turn.parts)
    else merged.push({ role: turn.role, parts: [...turn.parts] })
  }
  return merged
}
