import type { Emulator } from "@tollgate/emulator"

/** The environment variable holding the (fake) key of every emulated deployment. */
export const EMULATOR_KEY_ENV = "TOLLGATE_LEDGER_EMULATOR_KEY"

/**
 * `models` of a `tollgate.config.json` that serve the load's models from `emulator` over each
 * provider's own API, as an operator points models at a self-hosted endpoint.
 */
export const emulatorModels = (emulator: Emulator) => {
  const deployment = (provider: string, baseUrl: string, upstreamModel?: string) => ({
    deployments: [
      { provider, baseUrl, keyEnv: EMULATOR_KEY_ENV, ...(upstreamModel ? { upstreamModel } : {}) },
    ],
  })
  return {
    "gemini-2.5-flash": deployment("google", emulator.geminiBaseUrl),
    "claude-sonnet-4.5": deployment("anthropic", emulator.anthropicBaseUrl, "claude-sonnet-4-5"),
    "gpt-4.1": deployment("openai", emulator.openaiBaseUrl),
    "deepseek-v3.2": deployment("deepseek", emulator.openaiBaseUrl, "deepseek-chat"),
  }
}
