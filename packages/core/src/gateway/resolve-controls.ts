import type { ChatRequest } from "../openai/chat-schemas.ts"
import type { RequestControls } from "../providers/adapter.ts"

/**
 * Speed mode and reasoning controls from the body (`generation_config.thinking_mode`, which the
 * openai client's `extra_body` merges in; `reasoning_effort`) and the `x-tollgate-mode` header.
 */
export const resolveControls = (request: ChatRequest, speedHeader: boolean): RequestControls => {
  const speed = speedHeader || request.generation_config?.thinking_mode === "speed"
  const effort = request.reasoning_effort ?? undefined
  return {
    speed,
    ...(speed || effort === undefined ? {} : { reasoningEffort: effort }),
    includeReasoning: effort !== undefined || request.include_reasoning === true,
  }
}
