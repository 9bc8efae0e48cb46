import type { ParameterSupport, ProviderAdapter } from "./adapter.ts"
import { anthropicParameters } from "./anthropic/parameters.ts"
import { geminiParameters } from "./gemini/parameters.ts"
import { openaiParameters } from "./openai/parameters.ts"

/** One adapter's parameter map, as the docs table shows it. */
export interface ParameterMapEntry {
  readonly api: ProviderAdapter["api"]
  /** Column heading in the docs. */
  readonly title: string
  readonly parameters: Readonly<Record<string, ParameterSupport>>
}

/**
 * Every upstream adapter's parameter map, in the order the docs show them. The maps are imported
 * from the adapters' own `parameters.ts`, which the adapters also use, so the table cannot drift.
 */
export const parameterMaps: ReadonlyArray<ParameterMapEntry> = [
  { api: "openai", title: "OpenAI-compatible", parameters: openaiParameters },
  { api: "gemini", title: "Gemini", parameters: geminiParameters },
  { api: "anthropic", title: "Anthropic", parameters: anthropicParameters },
]
