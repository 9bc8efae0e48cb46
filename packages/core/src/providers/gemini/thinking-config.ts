import type { ModelInfo } from "../../catalog/types.ts"
import type { RequestControls } from "../adapter.ts"

/**
 * Gemini's `generationConfig.thinkingConfig`. It holds `thinkingLevel` (Gemini 3) or
 * `thinkingBudget` (Gemini 2.5), never both: the API rejects a request that sets both.
 */
export type GeminiThinkingConfig =
  | { readonly thinkingLevel: string; readonly includeThoughts?: true }
  | { readonly thinkingBudget: number; readonly includeThoughts?: true }
  | { readonly includeThoughts: true }

/** Rank of each effort, shared by OpenAI's `reasoning_effort` and Gemini's levels. */
const effortRank: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 1,
  low: 2,
  medium: 3,
  high: 4,
  xhigh: 5,
}

/**
 * Token budgets for `reasoning_effort` on budget models, clamped into the model's range. The
 * low/medium/high values are the ones Google's own OpenAI-compatible endpoint uses.
 */
const budgetByEffort: Readonly<Record<string, number>> = {
  minimal: 128,
  low: 1024,
  medium: 8192,
  high: 24576,
}

/**
 * Speed mode and `reasoning_effort` -> a thinking config within what the model accepts, plus a
 * warning for every control that could not be honoured as asked.
 */
export const thinkingConfig = (
  model: ModelInfo,
  controls: RequestControls,
  warnings: Array<string>,
): GeminiThinkingConfig | undefined => {
  const thinking = model.thinking
  const effort = controls.speed ? undefined : controls.reasoningEffort
  const thinks = thinking.kind === "level" || thinking.kind === "budget"

  if (!thinks) {
    if (effort !== undefined && effort !== "none")
      warnings.push(`reasoning_effort ignored: ${model.id} does not think`)
    else if (controls.includeReasoning)
      warnings.push(`reasoning text unavailable: ${model.id} does not think`)
    return undefined
  }

  const include = controls.includeReasoning ? ({ includeThoughts: true } as const) : {}

  if (thinking.kind === "level") {
    if (controls.speed) return { thinkingLevel: thinking.speed, ...include }
    if (effort === undefined)
      return controls.includeReasoning ? { includeThoughts: true } : undefined
    const level = nearestLevel(thinking.levels, effort) ?? thinking.speed
    if (effort === "none")
      warnings.push(`thinking cannot be turned off on ${model.id}; used level ${level}`)
    else if (level !== effort)
      warnings.push(`reasoning_effort ${effort} not accepted by ${model.id}; used level ${level}`)
    return { thinkingLevel: level, ...include }
  }

  if (controls.speed) return { thinkingBudget: thinking.min, ...include }
  if (effort === undefined) return controls.includeReasoning ? { includeThoughts: true } : undefined
  if (effort === "none") {
    if (thinking.min > 0)
      warnings.push(
        `thinking cannot be turned off on ${model.id}; used its minimum budget ${thinking.min}`,
      )
    return { thinkingBudget: thinking.min, ...include }
  }
  const wanted = budgetByEffort[effort] ?? thinking.max
  const budget = Math.min(thinking.max, Math.max(thinking.min, wanted))
  return { thinkingBudget: budget, ...include }
}

/** The model's level closest to `effort`: the lowest at or above it, else the highest below. */
const nearestLevel = (levels: ReadonlyArray<string>, effort: string): string | undefined => {
  const wanted = effortRank[effort] ?? effortRank.medium ?? 3
  const ranked = levels
    .filter((level) => effortRank[level] !== undefined)
    .sort((a, b) => (effortRank[a] ?? 0) - (effortRank[b] ?? 0))
  return ranked.find((level) => (effortRank[level] ?? 0) >= wanted) ?? ranked.at(-1)
}
