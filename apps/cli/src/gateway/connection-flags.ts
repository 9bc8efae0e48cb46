import { Config, Option, Redacted } from "effect"
import { Flag } from "effect/cli"

/** Where the gateway listens unless `--base-url` or `TOLLGATE_BASE_URL` says otherwise. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:8080"

/** `--base-url`, falling back to `TOLLGATE_BASE_URL`, then the local default. */
export const baseUrlFlag = Flag.String("base-url").pipe(
  Flag.withDescription(`Gateway URL (env TOLLGATE_BASE_URL; default ${DEFAULT_BASE_URL})`),
  Flag.withFallbackConfig(Config.String("TOLLGATE_BASE_URL")),
  Flag.withDefault(DEFAULT_BASE_URL),
)

/** `--api-key`, falling back to `TOLLGATE_API_KEY`; redacted so it never reaches a log. */
export const apiKeyFlag = Flag.Redacted("api-key").pipe(
  Flag.withDescription("Gateway key (env TOLLGATE_API_KEY)"),
  Flag.withFallbackConfig(Config.Redacted("TOLLGATE_API_KEY")),
  Flag.optional,
)

/** `--master-key` for the admin API, falling back to `TOLLGATE_MASTER_KEY`. */
export const masterKeyFlag = Flag.Redacted("master-key").pipe(
  Flag.withDescription("Master key (env TOLLGATE_MASTER_KEY)"),
  Flag.withFallbackConfig(Config.Redacted("TOLLGATE_MASTER_KEY")),
  Flag.optional,
)

/** `--json`: print the answer as data instead of a table or text. */
export const jsonFlag = Flag.Boolean("json").pipe(
  Flag.withDescription("Print the result as JSON"),
  Flag.withDefault(false),
)

/** The gateway a command talks to: its base URL (no trailing `/v1`) and the bearer key. */
export interface Connection {
  readonly baseUrl: string
  readonly apiKey: Redacted.Redacted<string> | undefined
}

/** Accepts `http://host:port`, with or without a trailing `/` or `/v1`. */
export const normaliseBaseUrl = (url: string): string =>
  url.replace(/\/+$/, "").replace(/\/v1$/, "")

/** A `Connection` from the parsed flags. */
export const connectionOf = (
  baseUrl: string,
  key: Option.Option<Redacted.Redacted<string>>,
): Connection => ({
  baseUrl: normaliseBaseUrl(baseUrl),
  apiKey: Option.getOrUndefined(key),
})

/** The key's value, or `undefined` when none was given. */
export const keyValue = (connection: Connection): string | undefined =>
  connection.apiKey === undefined ? undefined : Redacted.value(connection.apiKey)
