import type { Tool, ToolChoice } from "../../openai/chat-schemas.ts"
import { toGeminiSchema } from "./convert-json-schema.ts"

type Json = Record<string, unknown>

/** `tools` and `toolConfig` of a Gemini request; both absent when the client offered no tools. */
export interface ConvertedTools {
  readonly tools: ReadonlyArray<{ readonly functionDeclarations: ReadonlyArray<Json> }> | undefined
  readonly toolConfig: { readonly functionCallingConfig: Json } | undefined
}

/**
 * OpenAI `tools` / `tool_choice` -> function declarations and a function-calling mode:
 * `auto` -> AUTO, `required` -> ANY, `none` -> NONE, a named function -> ANY limited to it.
 */
export const convertTools = (
  tools: ReadonlyArray<Tool> | null | undefined,
  toolChoice: ToolChoice | null | undefined,
  parallelToolCalls: boolean | null | undefined,
  warnings: Array<string>,
): ConvertedTools => {
  if (tools === undefined || tools === null || tools.length === 0) {
    if (toolChoice !== undefined && toolChoice !== null && toolChoice !== "none")
      warnings.push("tool_choice ignored: the request offers no tools")
    return { tools: undefined, toolConfig: undefined }
  }

  if (parallelToolCalls === false)
    warnings.push("parallel_tool_calls=false cannot be enforced on Gemini")

  const functionDeclarations = tools.map(({ function: f }) => {
    const parameters = toGeminiSchema(f.parameters)
    // A function without arguments declares no parameters: Gemini rejects an empty object.
    const hasParameters = parameters !== undefined && parameters.properties !== undefined
    return {
      name: f.name,
      ...(f.description === undefined ? {} : { description: f.description }),
      ...(hasParameters ? { parameters } : {}),
    }
  })

  return {
    tools: [{ functionDeclarations }],
    toolConfig:
      toolChoice === undefined || toolChoice === null ? undefined : toolConfig(toolChoice),
  }
}

const toolConfig = (choice: ToolChoice): { readonly functionCallingConfig: Json } => {
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } }
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } }
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } }
  return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] } }
}
