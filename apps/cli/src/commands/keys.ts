import { Console, Effect, Option, type Redacted } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { z } from "zod"
import { type CliFailure, cliFailure } from "../cli-failure.ts"
import {
  apiKeyFlag,
  baseUrlFlag,
  type Connection,
  connectionOf,
  jsonFlag,
  masterKeyFlag,
} from "../gateway/connection-flags.ts"
import { KeyJson, KeyList } from "../gateway/key-response.ts"
import { type JsonRequest, requestJson } from "../gateway/request-json.ts"
import { formatUsd } from "../render/format-usd.ts"
import { renderTable } from "../render/table.ts"

// Every keys command talks to the admin API with the master key.
const adminFlags = {
  json: jsonFlag,
  baseUrl: baseUrlFlag,
  masterKey: masterKeyFlag,
  apiKey: apiKeyFlag,
}

interface AdminFlags {
  readonly json: boolean
  readonly baseUrl: string
  readonly masterKey: Option.Option<Redacted.Redacted<string>>
  readonly apiKey: Option.Option<Redacted.Redacted<string>>
}

const adminConnection = (flags: AdminFlags): Connection =>
  connectionOf(
    flags.baseUrl,
    Option.orElse(flags.masterKey, () => flags.apiKey),
  )

const call = <A>(
  flags: AdminFlags,
  request: JsonRequest,
  schema: z.ZodType<A>,
): Effect.Effect<A, CliFailure> =>
  Effect.flatMap(requestJson(adminConnection(flags), request), (body) => {
    const parsed = schema.safeParse(body)
    return parsed.success
      ? Effect.succeed(parsed.data)
      : Effect.fail(cliFailure(`unexpected answer from ${request.method} ${request.path}`))
  })

const money = (value: string | number | null | undefined): string =>
  value == null ? "-" : formatUsd(value)

const keyRow = (key: KeyJson): string[] => [
  key.id,
  key.name ?? "",
  key.allowed_models == null ? "all" : key.allowed_models.join(", "),
  key.budget_usd == null ? "-" : `${money(key.budget_usd)}/${key.budget_period ?? "lifetime"}`,
  money(key.spent_usd),
  money(key.credit_usd),
  key.rpm == null ? "-" : String(key.rpm),
  key.tpm == null ? "-" : String(key.tpm),
  key.revoked_at == null ? "active" : "revoked",
]

const keyTable = (keys: ReadonlyArray<KeyJson>): string =>
  renderTable(
    [
      { head: "id" },
      { head: "name" },
      { head: "models" },
      { head: "budget" },
      { head: "spent", align: "right" },
      { head: "credit", align: "right" },
      { head: "rpm", align: "right" },
      { head: "tpm", align: "right" },
      { head: "status" },
    ],
    keys.map(keyRow),
  )

const printKeys = (keys: ReadonlyArray<KeyJson>, json: boolean) =>
  Console.log(json ? JSON.stringify(keys.length === 1 ? keys[0] : keys, null, 2) : keyTable(keys))

const printSecret = (key: KeyJson, json: boolean, what: string) =>
  json
    ? Console.log(JSON.stringify(key, null, 2))
    : Console.log(
        `${what} key ${key.id}${key.name ? ` (${key.name})` : ""}. Its secret is shown this ` +
          `once; store it now:\n  ${key.key ?? "(the gateway returned no secret)"}`,
      )

// Limits: a number, or `none` to remove one on update.
const limit = (name: string) => Flag.String(name).pipe(Flag.withMetavar("n|none"), Flag.optional)

const settingsFlags = {
  models: Flag.String("models").pipe(
    Flag.withDescription("Comma-separated model ids the key may use (none = all)"),
    Flag.optional,
  ),
  budget: limit("budget").pipe(Flag.withDescription("Budget in USD per period (none = no budget)")),
  period: Flag.Literals("period", ["day", "month", "lifetime"]).pipe(
    Flag.withDescription("Budget period"),
    Flag.optional,
  ),
  rpm: limit("rpm").pipe(Flag.withDescription("Requests per minute (none = no limit)")),
  tpm: limit("tpm").pipe(Flag.withDescription("Tokens per minute (none = no limit)")),
  defaultMaxTokens: limit("default-max-tokens").pipe(
    Flag.withDescription("max_tokens applied when a request sets none"),
  ),
  maxTokensCeiling: limit("max-tokens-ceiling").pipe(
    Flag.withDescription("Upper bound on max_tokens"),
  ),
}

type SettingsFlags = {
  readonly [K in keyof typeof settingsFlags]: Option.Option<string>
}

const SNAKE: Record<keyof SettingsFlags, string> = {
  models: "allowed_models",
  budget: "budget_usd",
  period: "budget_period",
  rpm: "rpm",
  tpm: "tpm",
  defaultMaxTokens: "default_max_tokens",
  maxTokensCeiling: "max_tokens_ceiling",
}

const settingValue = (field: keyof SettingsFlags, text: string): unknown => {
  if (text === "none") return null
  if (field === "models")
    return text
      .split(",")
      .map((m) => m.trim())
      .filter((m) => m !== "")
  // USD stays a decimal string: the gateway converts it exactly.
  if (field === "budget" || field === "period") return text
  const count = Number(text)
  return Number.isInteger(count) && count > 0 ? count : text
}

/** The admin body for the given flags (snake_case); the gateway validates and names bad fields. */
const settingsBody = (flags: SettingsFlags): Record<string, unknown> => {
  const body: Record<string, unknown> = {}
  for (const field of Object.keys(SNAKE) as Array<keyof SettingsFlags>) {
    const value = flags[field]
    if (Option.isSome(value)) body[SNAKE[field]] = settingValue(field, value.value)
  }
  return body
}

const idArgument = Argument.String("id").pipe(Argument.withDescription("The key's id"))
const keyPath = (id: string, action = "") => `/admin/keys/${encodeURIComponent(id)}${action}`

const create = Command.make(
  "create",
  {
    ...adminFlags,
    ...settingsFlags,
    name: Flag.String("name").pipe(Flag.withDescription("A name for people (team, app)")),
    credit: Flag.String("credit").pipe(
      Flag.withDescription("Opening prepaid credit in USD"),
      Flag.optional,
    ),
  },
  (flags) =>
    Effect.gen(function* () {
      const body = {
        name: flags.name,
        ...settingsBody(flags),
        ...Option.match(flags.credit, { onNone: () => ({}), onSome: (c) => ({ credit_usd: c }) }),
      }
      const key = yield* call(flags, { method: "POST", path: "/admin/keys", body }, KeyJson)
      yield* printSecret(key, flags.json, "Created")
    }),
).pipe(Command.withDescription("Create a virtual key (POST /admin/keys); its secret is shown once"))

const list = Command.make("list", adminFlags, (flags) =>
  Effect.gen(function* () {
    const keys = yield* call(flags, { method: "GET", path: "/admin/keys" }, KeyList)
    yield* Console.log(flags.json ? JSON.stringify(keys, null, 2) : keyTable(keys))
  }),
).pipe(Command.withDescription("List every key, revoked ones included (GET /admin/keys)"))

const revoke = Command.make("revoke", { ...adminFlags, id: idArgument }, (flags) =>
  Effect.gen(function* () {
    const request = { method: "DELETE", path: keyPath(flags.id) } as const
    const key = yield* call(flags, request, KeyJson)
    yield* flags.json ? printKeys([key], true) : Console.log(`Revoked key ${key.id}`)
  }),
).pipe(
  Command.withDescription(
    "Revoke a key for good (DELETE /admin/keys/{id}); every instance refuses it within seconds",
  ),
)

const rotate = Command.make("rotate", { ...adminFlags, id: idArgument }, (flags) =>
  Effect.gen(function* () {
    const request = { method: "POST", path: keyPath(flags.id, "/rotate") } as const
    const key = yield* call(flags, request, KeyJson)
    yield* printSecret(key, flags.json, "Rotated")
  }),
).pipe(
  Command.withDescription(
    "Replace a key's secret, keeping its id, settings and spend (POST /admin/keys/{id}/rotate)",
  ),
)

const update = Command.make(
  "update",
  {
    ...adminFlags,
    ...settingsFlags,
    id: idArgument,
    name: Flag.String("name").pipe(Flag.withDescription("A new name"), Flag.optional),
  },
  (flags) =>
    Effect.gen(function* () {
      const body = {
        ...settingsBody(flags),
        ...Option.match(flags.name, { onNone: () => ({}), onSome: (name) => ({ name }) }),
      }
      if (Object.keys(body).length === 0) {
        return yield* cliFailure("nothing to update: give at least one setting (see --help)")
      }
      const request = { method: "PATCH", path: keyPath(flags.id), body } as const
      const key = yield* call(flags, request, KeyJson)
      yield* printKeys([key], flags.json)
    }),
).pipe(
  Command.withDescription(
    "Change a key's settings (PATCH /admin/keys/{id}); `none` removes a limit",
  ),
)

const topUp = Command.make(
  "top-up",
  {
    ...adminFlags,
    id: idArgument,
    amount: Flag.String("amount").pipe(Flag.withDescription("USD to add to the prepaid credit")),
  },
  (flags) =>
    Effect.gen(function* () {
      const body = { amount_usd: flags.amount }
      const request = { method: "POST", path: keyPath(flags.id, "/top-up"), body } as const
      const key = yield* call(flags, request, KeyJson)
      yield* printKeys([key], flags.json)
    }),
).pipe(Command.withDescription("Add prepaid credit to a key (POST /admin/keys/{id}/top-up)"))

/** `tollgate keys create|list|revoke|rotate|update|top-up`. */
export const keysCommand = Command.make("keys").pipe(
  Command.withDescription(
    "Manage virtual keys through the admin API (master key: --master-key or " +
      "TOLLGATE_MASTER_KEY).",
  ),
  Command.withShortDescription("Create, list, revoke, rotate, update and top up keys"),
  Command.withSubcommands([create, list, revoke, rotate, update, topUp]),
)
