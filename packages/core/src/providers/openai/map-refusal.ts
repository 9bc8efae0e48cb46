import type { ChatCompletion, ChatCompletionChunk } from "../../openai/chat-schemas.ts"

/**
 * OpenAI reports a refused prompt as `finish_reason: "stop"` with `message.refusal` set. Gemini
 * and Anthropic blocks end in `content_filter`, so a refusal with no content and no tool call is
 * reported the same way here: clients see one meaning for a blocked answer, whatever the provider.
 */
export const refusalAsContentFilter = (completion: ChatCompletion): ChatCompletion => ({
  ...completion,
  choices: completion.choices.map((choice) => {
    const { message } = choice
    const refused =
      choice.finish_reason === "stop" &&
      typeof message.refusal === "string" &&
      message.refusal !== "" &&
      (message.content == null || message.content === "") &&
      (message.tool_calls === undefined || message.tool_calls.length === 0)
    return refused ? { ...choice, finish_reason: "content_filter" } : choice
  }),
})

/** What a stream has shown so far, per choice index. */
interface Seen {
  readonly refusal: boolean
  readonly answered: boolean
}

/** Per-chunk step of `refusalAsContentFilter` for streams; the state is keyed by choice index. */
export const refusalAsContentFilterStep = (
  state: ReadonlyMap<number, Seen>,
  chunk: ChatCompletionChunk,
): readonly [ReadonlyMap<number, Seen>, ReadonlyArray<ChatCompletionChunk>] => {
  if (chunk.choices.length === 0) return [state, [chunk]]

  const next = new Map(state)
  const choices = chunk.choices.map((choice) => {
    const before = next.get(choice.index) ?? { refusal: false, answered: false }
    const { delta } = choice
    const seen: Seen = {
      refusal: before.refusal || (typeof delta.refusal === "string" && delta.refusal !== ""),
      answered:
        before.answered ||
        (typeof delta.content === "string" && delta.content !== "") ||
        (delta.tool_calls !== undefined && delta.tool_calls.length > 0),
    }
    next.set(choice.index, seen)
    const refused = choice.finish_reason === "stop" && seen.refusal && !seen.answered
    return refused ? { ...choice, finish_reason: "content_filter" as const } : choice
  })
  return [next, [{ ...chunk, choices }]]
}
