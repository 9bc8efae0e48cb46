import type { CatalogConfig, DeploymentConfig, ModelConfig } from "@tollgate/core"
import { Config, Effect, Option, type Redacted } from "effect"
import type { FileConfig } from "./file-schema.ts"

/** Reads the key a deployment names (`keyEnv`); the config file never holds a key itself. */
const readKey = (envName: string | undefined) =>
  envName === undefined
    ? Effect.succeed(undefined)
    : Config.option(Config.Redacted(envName)).pipe(
        Effect.map((key): Redacted.Redacted<string> | undefined => Option.getOrUndefined(key)),
        Effect.orElseSucceed(() => undefined),
      )

type FileModel = NonNullable<FileConfig["models"]>[string]
type FileDeployment = NonNullable<FileModel["deployments"]>[number]

const toDeployment = (d: FileDeployment) =>
  Effect.map(
    readKey(d.keyEnv),
    (apiKey): DeploymentConfig => ({
      provider: d.provider,
      ...(d.api === undefined ? {} : { api: d.api }),
      ...(d.upstreamModel === undefined ? {} : { upstreamModel: d.upstreamModel }),
      ...(d.baseUrl === undefined ? {} : { baseUrl: d.baseUrl }),
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(d.weight === undefined ? {} : { weight: d.weight }),
    }),
  )

/**
 * The config file's `models` (keyed by id, as operators write it) in the core's catalog-config
 * shape, with each deployment's key read from the environment variable it names.
 */
export const toCatalogConfig = (file: FileConfig): Effect.Effect<CatalogConfig> =>
  Effect.gen(function* () {
    const models: Array<ModelConfig> = []
    for (const [id, model] of Object.entries(file.models ?? {})) {
      const deployments =
        model.deployments === undefined
          ? undefined
          : yield* Effect.forEach(model.deployments, toDeployment)
      models.push({
        id,
        ...(model.provider === undefined ? {} : { provider: model.provider }),
        ...(model.contextWindow === undefined ? {} : { contextWindow: model.contextWindow }),
        ...(model.maxOutputTokens === undefined ? {} : { maxOutputTokens: model.maxOutputTokens }),
        ...(deployments === undefined ? {} : { deployments }),
        ...(model.fallbacks === undefined ? {} : { fallbacks: model.fallbacks }),
        ...(model.routing === undefined ? {} : { routing: model.routing }),
        ...(model.resilience === undefined ? {} : { resilience: model.resilience }),
      })
    }
    return {
      models,
      ...(file.resilience === undefined ? {} : { resilience: file.resilience }),
    }
  })
