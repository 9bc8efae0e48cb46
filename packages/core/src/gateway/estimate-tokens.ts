import { countTextTokens } from "../accounting/count-tokens.ts"
import { estimateOutputTokens } from "../accounting/worst-case.ts"
import type { ChatRequest } from "../openai/chat-schemas.ts"

/** Text of the prompt as a tokenizer would see it: contents, tool calls and tool schemas. */
const promptText = (request: ChatRequest): string => {
  const parts: Array<string> = []
  for (const message of request.messages) {
    const content = message.content
    if (typeof content === "string") parts.push(content)
    else if (Array.isArray(content)) {
      for (const part of content)
        if (part.type === "text" && "text" in part) parts.push(String(part.text))
    }
    if (message.role === "assistant" && message.tool_calls !== undefined) {
      parts.push(JSON.stringify(message.tool_calls))
    }
  }
  if (request.tools != null) parts.push(JSON.stringify(request.tools))
  return parts.join("\n")
}

/** Tokens each message costs beyond its text (role markers), as OpenAI counts them. */
const perMessageOverhead = 4

/** Images count at a flat rate: providers bill them by size, which we do not decode. */
const perImageTokens = 1_000

const imageCount = (request: ChatRequest): number =>
  request.messages.reduce(
    (n, m) =>
      n + (Array.isArray(m.content) ? m.content.filter((p) => p.type === "image_url").length : 0),
    0,
  )

/**
 * Prompt tokens, estimated. Cheap (characters / 4) when far from `exactAbove`; counted with a
 * tokenizer when the cheap figure comes near it, so the context check is exact where it matters.
 */
export const estimatePromptTokens = (request: ChatRequest, exactAbove = Infinity): number => {
  const text = promptText(request)
  const overhead =
    request.messages.length * perMessageOverhead + imageCount(request) * perImageTokens
  const cheap = Math.ceil(text.length / 4) + overhead
  // countTextTokens, not the tokenizer's own countTokens: that one is quadratic on a long run
  // without spaces, and a 270 kB prompt of one run held the event loop for 95 s.
  return cheap < exactAbove ? cheap : countTextTokens(text) + overhead
}

/** Output tokens of text we relayed, for requests whose provider never reported usage. */
export const countOutputTokens = (text: string): number =>
  text === "" ? 0 : estimateOutputTokens(text)
