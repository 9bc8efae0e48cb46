import { Config, type Option, type Redacted } from "effect"

/** Provider keys from the environment; a provider without one is not called for real. */
export interface ProviderKeys {
  readonly google: Option.Option<Redacted.Redacted<string>>
  readonly anthropic: Option.Option<Redacted.Redacted<string>>
  readonly openai: Option.Option<Redacted.Redacted<string>>
  readonly deepseek: Option.Option<Redacted.Redacted<string>>
}

/** Everything the server reads from the environment. Keys stay `Redacted` end to end. */
export interface EnvConfig {
  readonly port: Option.Option<number>
  readonly host: Option.Option<string>
  readonly masterKey: Option.Option<Redacted.Redacted<string>>
  readonly configPath: Option.Option<string>
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  readonly redisUrl: Option.Option<Redacted.Redacted<string>>
  /** Prefix of the rate-limit keys in Redis, for deployments (or test runs) sharing one Redis. */
  readonly redisKeyPrefix: Option.Option<string>
  readonly providerKeys: ProviderKeys
}

const optionalKey = (name: string) => Config.option(Config.Redacted(name))

/** Reads the environment through Effect `Config`, so tests can supply their own provider. */
export const envConfig: Config.Config<EnvConfig> = Config.all({
  port: Config.option(Config.Port("PORT")),
  host: Config.option(Config.NonEmptyString("HOST")),
  masterKey: optionalKey("TOLLGATE_MASTER_KEY"),
  configPath: Config.option(Config.NonEmptyString("TOLLGATE_CONFIG")),
  databaseUrl: optionalKey("TOLLGATE_DATABASE_URL"),
  redisUrl: optionalKey("TOLLGATE_REDIS_URL"),
  redisKeyPrefix: Config.option(Config.NonEmptyString("TOLLGATE_REDIS_KEY_PREFIX")),
  providerKeys: Config.all({
    // GEMINI_API_KEY wins over GOOGLE_API_KEY, as Google's own SDK does.
    google: Config.option(
      Config.Redacted("GEMINI_API_KEY").pipe(
        Config.orElse(() => Config.Redacted("GOOGLE_API_KEY")),
      ),
    ),
    anthropic: optionalKey("ANTHROPIC_API_KEY"),
    openai: optionalKey("OPENAI_API_KEY"),
    deepseek: optionalKey("DEEPSEEK_API_KEY"),
  }),
})
