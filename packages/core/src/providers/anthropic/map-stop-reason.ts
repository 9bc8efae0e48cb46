import type { FinishReason } from "../../openai/chat-schemas.ts"

/**
 * Map Anthropic's `stop_reason` to OpenAI's `finish_reason`. `jsonMode` is true when the answer
 * came through the forced `json` tool standing in for `response_format`: that tool call is the
 * content, so it finished normally.
 *
 * `pause_turn` (a long server-tool turn Anthropic paused) becomes `length`: the answer is
 * incomplete and can be continued, which `stop` would hide.
 */
export const mapStopReason = (
  stopReason: string | null | undefined,
  jsonMode: boolean,
): FinishReason | null => {
  switch (stopReason) {
    case undefined:
    case null:
      return null
    case "end_turn":
    case "stop_sequence":
      return "stop"
    case "max_tokens":
    case "model_context_window_exceeded":
    case "pause_turn":
      return "length"
    case "tool_use":
      return jsonMode ? "stop" : "tool_calls"
    case "refusal":
      return "content_filter"
    default:
      // A reason newer than this adapter: the turn ended, and nothing says it was cut short.
      return "stop"
  }
}
