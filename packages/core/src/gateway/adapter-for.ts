import { Effect } from "effect"
import type { Deployment } from "../catalog/types.ts"
import { GatewayError } from "../errors/gateway-error.ts"
import type { ProviderAdapter } from "../providers/adapter.ts"
import { anthropicAdapter } from "../providers/anthropic/index.ts"
import { geminiAdapter } from "../providers/gemini/index.ts"
import { openaiAdapter } from "../providers/openai/openai-adapter.ts"

const adapters: Partial<Record<Deployment["api"], ProviderAdapter>> = {
  openai: openaiAdapter,
  gemini: geminiAdapter,
  anthropic: anthropicAdapter,
}

/** The adapter speaking a deployment's API; a clear failure for APIs not wired in yet. */
export const adapterFor = (
  deployment: Deployment,
): Effect.Effect<ProviderAdapter, GatewayError> => {
  const adapter = adapters[deployment.api]
  return adapter === undefined
    ? Effect.fail(
        new GatewayError({
          reason: { _tag: "ProviderError" },
          message: `No adapter for the ${deployment.api} API is available in this build.`,
          provider: deployment.provider,
          deployment: deployment.id,
        }),
      )
    : Effect.succeed(adapter)
}
