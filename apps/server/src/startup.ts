import { join } from "node:path"
import {
  type BillingCurrency,
  type Catalog,
  catalogFromConfig,
  defaultPriceBook,
  mergePrices,
  type PriceBook,
  USD,
} from "@tollgate/core"
import { Effect, Option, Redacted } from "effect"
import { type MasterKey, resolveMasterKey } from "./auth/master-key.ts"
import { envConfig } from "./config/env-config.ts"
import type { FileConfig } from "./config/file-schema.ts"
import { ConfigFileError, loadConfigFile } from "./config/load-config-file.ts"
import { toCatalogConfig } from "./config/to-catalog-config.ts"
import { withEmulatorKeys } from "./upstream/emulator-keys.ts"
import { inProcessEmulator } from "./upstream/in-process-emulator.ts"
import { providerKeyMap } from "./upstream/provider-keys.ts"

/** How to start a server; every field is optional and falls back to config file and env. */
export interface ServerOptions {
  /** Port to listen on; 0 picks a free one. Default: config `server.port`, `PORT`, 8080. */
  readonly port?: number
  /** Default: config `server.host`, `HOST`, 127.0.0.1. */
  readonly host?: string
  /** Directory holding `tollgate.config.json` and `.tollgate/`. Default: the working directory. */
  readonly cwd?: string
  /** Config file path. Default: `TOLLGATE_CONFIG`, else `tollgate.config.json` in `cwd`. */
  readonly configPath?: string
  /** Serve emulated models from this running emulator instead of starting one (tests, bench). */
  readonly emulatorUrl?: string
}

/** Default request body limit: 4 MiB, room for long prompts and a few images. */
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024

/** Everything resolved before the server listens. */
export interface Startup {
  readonly port: number
  readonly host: string
  readonly bodyLimit: number
  readonly masterKey: MasterKey
  readonly catalog: Catalog
  readonly prices: PriceBook
  readonly currency: BillingCurrency
  /** May carry a password, hence redacted. */
  readonly databaseUrl: Redacted.Redacted<string> | undefined
  readonly redisUrl: Redacted.Redacted<string> | undefined
  /** `TOLLGATE_REDIS_KEY_PREFIX`; the store's default (`tollgate:`) when unset. */
  readonly redisKeyPrefix: string | undefined
  readonly file: FileConfig
  readonly configPath: string
  /** `.tollgate/` in the working directory: master-key hash, SQLite file, ledger journal. */
  readonly stateDir: string
  /** The emulator's URL when some models are served by it. */
  readonly emulatorUrl: string | undefined
}

// Stands in for the emulator's URL until we know whether any model needs it.
const NO_EMULATOR = "http://emulator.invalid"

const redact = (value: string | undefined) =>
  value === undefined ? undefined : Redacted.make(value)

const anyEmulated = (catalog: Catalog): boolean =>
  [...catalog.models.values()].some((m) => m.deployments.some((d) => d.emulated))

/**
 * Reads env and config file, resolves the master key, and starts the emulator (scoped: it stops
 * with the server) when a model has no provider key to call its provider with.
 */
export const startup = (options: ServerOptions) =>
  Effect.gen(function* () {
    const env = yield* envConfig
    const cwd = options.cwd ?? process.cwd()
    const named = options.configPath ?? Option.getOrUndefined(env.configPath)
    const configPath = named ?? join(cwd, "tollgate.config.json")
    // Only the default file may be missing; one the operator named must exist:
    const file = yield* loadConfigFile(configPath, { required: named !== undefined })
    const stateDir = join(cwd, ".tollgate")
    const masterKey = yield* resolveMasterKey(env.masterKey, stateDir)

    const keys = providerKeyMap(env.providerKeys)
    const catalogConfig = yield* toCatalogConfig(file)
    const draft = catalogFromConfig(catalogConfig, { keys, emulatorUrl: NO_EMULATOR })
    const emulatorUrl = anyEmulated(draft)
      ? (options.emulatorUrl ?? (yield* inProcessEmulator))
      : undefined
    const catalog =
      emulatorUrl === undefined
        ? draft
        : withEmulatorKeys(catalogFromConfig(catalogConfig, { keys, emulatorUrl }))

    const prices = yield* Effect.try({
      try: () => mergePrices(defaultPriceBook, file.prices ?? {}),
      catch: (error) =>
        new ConfigFileError({ path: configPath, message: `${configPath}: ${String(error)}` }),
    })
    const result: Startup = {
      port: options.port ?? file.server?.port ?? Option.getOrElse(env.port, () => 8080),
      host: options.host ?? file.server?.host ?? Option.getOrElse(env.host, () => "127.0.0.1"),
      bodyLimit: file.server?.bodyLimit ?? DEFAULT_BODY_LIMIT,
      masterKey,
      catalog,
      prices,
      currency: file.currency ?? USD,
      databaseUrl: Option.getOrUndefined(env.databaseUrl) ?? redact(file.databaseUrl),
      redisUrl: Option.getOrUndefined(env.redisUrl) ?? redact(file.redisUrl),
      redisKeyPrefix: Option.getOrUndefined(env.redisKeyPrefix),
      file,
      configPath,
      stateDir,
      emulatorUrl,
    }
    return result
  })
