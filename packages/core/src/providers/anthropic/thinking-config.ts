import type { ModelInfo } from "../../catalog/types.ts"
import type { RequestControls } from "../adapter.ts"

/** Anthropic's `thinking` request field. */
export type AnthropicThinking =
  | { readonly type: "enabled"; readonly budget_tokens: number }
  | { readonly type: "disabled" }

/** The thinking setting and the `max_tokens` it needs, with controls that could not be honoured. */
export interface ThinkingConfig {
  readonly thinking?: AnthropicThinking
  readonly maxTokens: number
  readonly warnings: ReadonlyArray<string>
}

/** Anthropic refuses a thinking budget below this, whatever the catalog says. */
const minimumBudget = 1024

/** Budget per OpenAI `reasoning_effort`, before clamping to the model's range. */
const effortBudgets: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
}

/**
 * Decide Anthropic's `thinking` and `max_tokens` from the resolved controls and the model's range.
 * Speed mode and `reasoning_effort: none` switch thinking off: every Claude model can run without
 * it, so the catalog's `min` is read as the least budget once on. The budget stays below
 * `max_tokens`, as Anthropic requires: without a client limit, `max_tokens` grows by the budget
 * (up to the model's output limit).
 * `forcedTool` is true when `tool_choice` forces a tool, which Anthropic forbids with thinking.
 */
export const thinkingConfig = (
  controls: RequestControls,
  model: ModelInfo,
  clientMaxTokens: number | undefined,
  forcedTool: boolean,
): ThinkingConfig => {
  const baseMax = clientMaxTokens ?? model.defaultMaxTokens
  const effort = controls.speed ? "none" : controls.reasoningEffort
  const range = model.thinking

  if (range.kind !== "budget") {
    const warnings =
      effort !== undefined && effort !== "none"
        ? [`reasoning_effort ignored: ${model.id} has no thinking budget`]
        : []
    return { maxTokens: baseMax, warnings }
  }

  const lowest = Math.max(range.min, minimumBudget)
  const off = { thinking: { type: "disabled" } as const, maxTokens: baseMax }
  if (effort === undefined) return { maxTokens: baseMax, warnings: [] }
  if (effort === "none") return { ...off, warnings: [] }
  if (forcedTool)
    return { ...off, warnings: ["thinking off: Anthropic forbids thinking with a forced tool"] }

  const wanted = effortBudgets[effort] ?? effortBudgets.medium ?? lowest
  const budget = Math.min(Math.max(wanted, lowest), range.max)
  const maxTokens = clientMaxTokens ?? Math.min(model.maxOutputTokens, baseMax + budget)
  if (budget < maxTokens)
    return { thinking: { type: "enabled", budget_tokens: budget }, maxTokens, warnings: [] }

  const fitted = maxTokens - 1
  if (fitted < lowest)
    return {
      ...off,
      maxTokens,
      warnings: [`thinking off: max_tokens ${maxTokens} leaves no room for a thinking budget`],
    }
  return {
    thinking: { type: "enabled", budget_tokens: fitted },
    maxTokens,
    warnings: [`thinking budget lowered to ${fitted} to fit max_tokens ${maxTokens}`],
  }
}
