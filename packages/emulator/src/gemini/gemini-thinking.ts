import type { z } from "zod"
import type { ThinkingConfig } from "./read-gemini-request.ts"

type Config = z.infer<typeof ThinkingConfig> | undefined

const levelScale: Record<string, number> = { low: 1, medium: 2, high: 4 }

/** Models that think by default: Gemini 2.5 and 3.x (the Pro models cannot switch it off). */
const thinks = (model: string): boolean => /^gemini-(2\.5|3)/.test(model)

/**
 * Why Google would reject this thinking config for this model, or undefined when it is fine:
 * a budget and a level together, or a zero budget on a model that only works in thinking mode.
 */
export const thinkingConfigError = (model: string, config: Config): string | undefined => {
  if (config?.thinkingBudget !== undefined && config.thinkingLevel !== undefined) {
    return "thinking_budget and thinking_level cannot be set together; use one of them."
  }
  if (config?.thinkingBudget === 0 && /^gemini-(2\.5-pro|3(\.\d+)?-pro)/.test(model)) {
    return "Budget 0 is invalid. This model only works in thinking mode."
  }
  return undefined
}

/**
 * Deterministic thinking tokens for a request: none for a zero budget, the `minimal` level or
 * a model that does not think; otherwise a positive count that never exceeds a given budget.
 */
export const thoughtsTokens = (model: string, config: Config, seed: number): number => {
  if (!thinks(model)) return 0
  const budget = config?.thinkingBudget
  const level = config?.thinkingLevel?.toLowerCase()
  if (budget === 0 || level === "minimal") return 0

  const base = 24 + (seed % 40)
  const scaled = base * (levelScale[level ?? "high"] ?? 4)
  return budget !== undefined && budget > 0 ? Math.max(1, Math.min(budget, scaled)) : scaled
}
