import { Effect } from "effect"
import type { ChatRequest } from "../../openai/chat-schemas.ts"
import { badRequest } from "./bad-request.ts"
import { anthropicParameters } from "./parameters.ts"

// The gateway's own request fields, read before any adapter runs.
const gatewayFields = new Set(["models", "fallbacks"])

// Values that ask for nothing beyond the default, so a parameter set to them needs no notice.
const isNeutral = (name: string, value: unknown): boolean => {
  if (value === null || value === undefined || value === false) return true
  if (name === "n") return value === 1
  if (name === "presence_penalty" || name === "frequency_penalty") return value === 0
  if (name === "top_logprobs") return value === 0
  if (name === "service_tier") return value === "auto" || value === "default"
  if (name === "modalities")
    return Array.isArray(value) && value.every((modality) => modality === "text")
  return false
}

/**
 * Enforce the parameter map: a `rejected` parameter that asks for something fails with a 400
 * naming it; an `ignored` one, or a field the map does not know, yields a warning. Returns the
 * warnings.
 */
export const checkParameters = (
  request: ChatRequest,
): Effect.Effect<ReadonlyArray<string>, ReturnType<typeof badRequest>> => {
  const warnings: Array<string> = []
  for (const [name, value] of Object.entries(request)) {
    if (gatewayFields.has(name) || isNeutral(name, value)) continue
    const support = anthropicParameters[name] ?? anthropicParameters["(other fields)"]
    if (support === undefined) continue
    if (support.support === "rejected")
      return Effect.fail(
        badRequest(`${name} is not supported by Anthropic models: ${support.note}`, name),
      )
    if (support.support === "ignored") warnings.push(`${name} ignored: ${support.note}`)
  }
  return Effect.succeed(warnings)
}
