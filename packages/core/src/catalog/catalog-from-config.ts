import { Redacted } from "effect"
import { type DefaultCatalogOptions, defaultCatalog, upstreams } from "./default-catalog.ts"
import { defaultResilience } from "./default-resilience.ts"
import type {
  Capabilities,
  Catalog,
  Deployment,
  ModelInfo,
  ResiliencePolicy,
  RoutingStrategy,
  ThinkingControl,
  UpstreamApi,
} from "./types.ts"

/** One deployment as the (already validated) config describes it. */
export interface DeploymentConfig {
  readonly id?: string
  readonly provider: string
  /** Defaults to the provider's API (`google` -> gemini, `anthropic` -> anthropic, else openai). */
  readonly api?: UpstreamApi
  readonly upstreamModel?: string
  /** Defaults to the provider's public URL, or the emulator when no key is given. */
  readonly baseUrl?: string
  /** The key's value, read by the app from the environment; none: emulated for known providers. */
  readonly apiKey?: string | Redacted.Redacted<string>
  readonly weight?: number
}

/** One model as the config describes it; fields left out come from the default model of that id. */
export interface ModelConfig {
  readonly id: string
  readonly provider?: string
  readonly family?: string
  readonly contextWindow?: number
  readonly maxOutputTokens?: number
  readonly defaultMaxTokens?: number
  readonly thinking?: ThinkingControl
  readonly capabilities?: Partial<Capabilities>
  readonly deployments?: ReadonlyArray<DeploymentConfig>
  readonly fallbacks?: ReadonlyArray<string>
  readonly routing?: RoutingStrategy
  readonly resilience?: Partial<ResiliencePolicy>
}

/** The catalog part of `tollgate.config.json`, after the app's zod validation. */
export interface CatalogConfig {
  readonly models?: ReadonlyArray<ModelConfig>
  /** Applied to every model before its own `resilience`. */
  readonly resilience?: Partial<ResiliencePolicy>
  /** Keep the default models beside the configured ones (default true). */
  readonly includeDefaults?: boolean
}

const apiOf = (provider: string): UpstreamApi =>
  provider === "google" ? "gemini" : provider === "anthropic" ? "anthropic" : "openai"

const knownUpstream = (provider: string) =>
  provider === "google" ||
  provider === "anthropic" ||
  provider === "openai" ||
  provider === "deepseek"
    ? upstreams[provider]
    : undefined

const buildDeployment = (
  modelId: string,
  config: DeploymentConfig,
  index: number,
  options: DefaultCatalogOptions,
): Deployment => {
  const known = knownUpstream(config.provider)
  const emulated = config.apiKey === undefined && config.baseUrl === undefined
  const emulatorBase = `${options.emulatorUrl.replace(/\/+$/, "")}${known?.emulatorPath ?? "/v1"}`
  const apiKey = typeof config.apiKey === "string" ? Redacted.make(config.apiKey) : config.apiKey
  return {
    id: config.id ?? `${modelId}@${config.provider}${index === 0 ? "" : `-${index + 1}`}`,
    provider: config.provider,
    api: config.api ?? known?.api ?? apiOf(config.provider),
    upstreamModel: config.upstreamModel ?? modelId,
    baseUrl: config.baseUrl ?? (emulated ? emulatorBase : (known?.baseUrl ?? emulatorBase)),
    ...(apiKey === undefined ? {} : { apiKey }),
    weight: config.weight ?? 1,
    emulated,
  }
}

/** A model the defaults do not know: conservative limits until the config says more. */
const placeholder = (
  id: string,
  provider: string,
  resilience: ResiliencePolicy,
): Omit<ModelInfo, "deployments"> => ({
  id,
  provider,
  family: id,
  contextWindow: 128_000,
  maxOutputTokens: 16_384,
  defaultMaxTokens: 4_096,
  thinking: { kind: "none" },
  capabilities: { tools: true, vision: false, jsonSchema: false },
  fallbacks: [],
  routing: "weighted",
  resilience,
})

/**
 * Builds the catalog from a validated config: configured models override or extend the default
 * ones (same id: unspecified fields keep the default's values).
 */
export const catalogFromConfig = (
  config: CatalogConfig,
  options: DefaultCatalogOptions,
): Catalog => {
  const shared = { ...defaultResilience, ...options.resilience, ...config.resilience }
  const defaults = defaultCatalog({ ...options, resilience: shared })
  const models = new Map(config.includeDefaults === false ? [] : defaults.models)

  for (const entry of config.models ?? []) {
    const base: Omit<ModelInfo, "deployments"> & { deployments?: ModelInfo["deployments"] } =
      defaults.models.get(entry.id) ?? placeholder(entry.id, entry.provider ?? "openai", shared)
    const deployments =
      entry.deployments?.map((d, i) => buildDeployment(entry.id, d, i, options)) ??
      base.deployments ??
      []
    models.set(entry.id, {
      ...base,
      ...(entry.provider === undefined ? {} : { provider: entry.provider }),
      ...(entry.family === undefined ? {} : { family: entry.family }),
      ...(entry.contextWindow === undefined ? {} : { contextWindow: entry.contextWindow }),
      ...(entry.maxOutputTokens === undefined ? {} : { maxOutputTokens: entry.maxOutputTokens }),
      ...(entry.defaultMaxTokens === undefined ? {} : { defaultMaxTokens: entry.defaultMaxTokens }),
      ...(entry.thinking === undefined ? {} : { thinking: entry.thinking }),
      ...(entry.routing === undefined ? {} : { routing: entry.routing }),
      ...(entry.fallbacks === undefined ? {} : { fallbacks: entry.fallbacks }),
      id: entry.id,
      capabilities: { ...base.capabilities, ...entry.capabilities },
      deployments,
      resilience: { ...base.resilience, ...entry.resilience },
    })
  }

  return { models }
}
