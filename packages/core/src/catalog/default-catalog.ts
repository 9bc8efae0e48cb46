import { Redacted } from "effect"
import { defaultResilience } from "./default-resilience.ts"
import type { Catalog, Deployment, ModelInfo, ResiliencePolicy, UpstreamApi } from "./types.ts"

/** Provider keys the app read from its environment; a missing key means "use the emulator". */
export interface ProviderKeys {
  readonly google?: string | Redacted.Redacted<string>
  readonly anthropic?: string | Redacted.Redacted<string>
  readonly openai?: string | Redacted.Redacted<string>
  readonly deepseek?: string | Redacted.Redacted<string>
}

/** Inputs of the default catalog. */
export interface DefaultCatalogOptions {
  readonly keys?: ProviderKeys
  /** Root URL of the built-in emulator (`http://127.0.0.1:9100`), used where a key is missing. */
  readonly emulatorUrl: string
  /** Overrides applied to every model's resilience policy. */
  readonly resilience?: Partial<ResiliencePolicy>
}

/** Where each default provider really lives, and how the emulator serves the same API. */
export const upstreams: Record<
  keyof ProviderKeys,
  { readonly api: UpstreamApi; readonly baseUrl: string; readonly emulatorPath: string }
> = {
  google: {
    api: "gemini",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta",
    emulatorPath: "/v1beta",
  },
  anthropic: { api: "anthropic", baseUrl: "https://api.anthropic.com/v1", emulatorPath: "/v1" },
  openai: { api: "openai", baseUrl: "https://api.openai.com/v1", emulatorPath: "/v1" },
  deepseek: { api: "openai", baseUrl: "https://api.deepseek.com/v1", emulatorPath: "/v1" },
}

/** One deployment of a default provider: the real API with a key, the emulator without. */
export const deploymentFor = (
  provider: keyof ProviderKeys,
  upstreamModel: string,
  options: DefaultCatalogOptions,
): Deployment => {
  const upstream = upstreams[provider]
  const key = options.keys?.[provider]
  const emulated = key === undefined || (typeof key === "string" && key === "")
  return {
    id: `${upstreamModel}@${emulated ? "emulator" : provider}`,
    provider,
    api: upstream.api,
    upstreamModel,
    baseUrl: emulated
      ? `${options.emulatorUrl.replace(/\/+$/, "")}${upstream.emulatorPath}`
      : upstream.baseUrl,
    ...(emulated ? {} : { apiKey: typeof key === "string" ? Redacted.make(key) : key }),
    weight: 1,
    emulated,
  }
}

type ModelSpec = Omit<ModelInfo, "deployments" | "fallbacks" | "routing" | "resilience"> & {
  readonly upstreamModel: string
}

/** The default models, with limits as the providers document them (checked 2026-12). */
const specs: ReadonlyArray<ModelSpec> = [
  {
    id: "gemini-3.1-flash",
    provider: "google",
    family: "gemini-3-flash",
    upstreamModel: "gemini-3.1-flash",
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    defaultMaxTokens: 8_192,
    thinking: { kind: "level", levels: ["minimal", "low", "medium", "high"], speed: "minimal" },
    capabilities: { tools: true, vision: true, jsonSchema: true },
  },
  {
    id: "gemini-2.5-flash",
    provider: "google",
    family: "gemini-2.5-flash",
    upstreamModel: "gemini-2.5-flash",
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    defaultMaxTokens: 8_192,
    thinking: { kind: "budget", min: 0, max: 24_576 },
    capabilities: { tools: true, vision: true, jsonSchema: true },
  },
  {
    id: "gemini-2.5-pro",
    provider: "google",
    family: "gemini-2.5-pro",
    upstreamModel: "gemini-2.5-pro",
    contextWindow: 1_048_576,
    maxOutputTokens: 65_536,
    defaultMaxTokens: 8_192,
    thinking: { kind: "budget", min: 128, max: 32_768 },
    capabilities: { tools: true, vision: true, jsonSchema: true },
  },
  {
    id: "deepseek-v3.2",
    provider: "deepseek",
    family: "deepseek-v3",
    upstreamModel: "deepseek-chat",
    contextWindow: 131_072,
    maxOutputTokens: 8_192,
    defaultMaxTokens: 4_096,
    thinking: { kind: "none" },
    // DeepSeek offers `json_object` but no `json_schema`, and takes no images.
    capabilities: { tools: true, vision: false, jsonSchema: false },
  },
  {
    id: "claude-sonnet-4.5",
    provider: "anthropic",
    family: "claude-4.5",
    upstreamModel: "claude-sonnet-4-5",
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    defaultMaxTokens: 8_192,
    thinking: { kind: "budget", min: 1_024, max: 63_999 },
    capabilities: { tools: true, vision: true, jsonSchema: true },
  },
  {
    id: "gpt-4.1",
    provider: "openai",
    family: "gpt-4.1",
    upstreamModel: "gpt-4.1",
    contextWindow: 1_047_576,
    maxOutputTokens: 32_768,
    defaultMaxTokens: 4_096,
    thinking: { kind: "none" },
    capabilities: { tools: true, vision: true, jsonSchema: true },
  },
]

const providerKey = (provider: string): keyof ProviderKeys =>
  provider === "google" || provider === "anthropic" || provider === "deepseek" ? provider : "openai"

/**
 * The catalog served when the config lists no models. Each model goes to its real provider when
 * its key is given, else to the emulator (`emulated: true`), so the quick start works offline.
 */
export const defaultCatalog = (options: DefaultCatalogOptions): Catalog => {
  const resilience = { ...defaultResilience, ...options.resilience }
  const models = specs.map(
    ({ upstreamModel, ...spec }): ModelInfo => ({
      ...spec,
      deployments: [deploymentFor(providerKey(spec.provider), upstreamModel, options)],
      fallbacks: [],
      routing: "weighted",
      resilience,
    }),
  )
  return { models: new Map(models.map((m) => [m.id, m])) }
}
