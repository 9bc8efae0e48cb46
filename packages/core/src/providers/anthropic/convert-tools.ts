import type { ChatRequest } from "../../openai/chat-schemas.ts"

/** A tool as Anthropic declares it. */
export interface AnthropicTool {
  readonly name: string
  readonly description?: string
  readonly input_schema: Readonly<Record<string, unknown>>
}

/** Anthropic's `tool_choice`. */
export type AnthropicToolChoice =
  | { readonly type: "auto" | "any"; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: "tool"; readonly name: string; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: "none" }

/** The tool part of an Anthropic request. */
export interface ConvertedTools {
  readonly tools?: ReadonlyArray<AnthropicTool>
  readonly tool_choice?: AnthropicToolChoice
}

// Anthropic requires an object schema; a function declared without parameters takes none.
const emptySchema = { type: "object", properties: {} }

/**
 * Translate OpenAI `tools`, `tool_choice` and `parallel_tool_calls`. `required` becomes `any`, a
 * named function becomes `tool`; `parallel_tool_calls: false` is Anthropic's
 * `disable_parallel_tool_use`, which lives on the choice, so it forces an explicit `auto`.
 */
export const convertTools = (request: ChatRequest): ConvertedTools => {
  const tools = request.tools ?? []
  if (tools.length === 0) return {}

  const converted = tools.map(
    (tool): AnthropicTool => ({
      name: tool.function.name,
      ...(tool.function.description === undefined
        ? {}
        : { description: tool.function.description }),
      input_schema: { ...emptySchema, ...tool.function.parameters },
    }),
  )

  const serial = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {}
  const choice = request.tool_choice
  if (choice === "none") return { tools: converted, tool_choice: { type: "none" } }
  if (choice === "required") return { tools: converted, tool_choice: { type: "any", ...serial } }
  if (typeof choice === "object" && choice !== null)
    return {
      tools: converted,
      tool_choice: { type: "tool", name: choice.function.name, ...serial },
    }
  if (request.parallel_tool_calls === false)
    return { tools: converted, tool_choice: { type: "auto", ...serial } }
  return { tools: converted }
}
