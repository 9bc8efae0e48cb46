import {
  badRequest,
  parseDecimal,
  type RequestError,
  toScaledInteger,
  usdString,
} from "@tollgate/core"
import { Effect } from "effect"
import { z } from "zod"
import type { CreatedKey, CreateKeyInput, KeyInfo, KeyUpdate } from "./key-info.ts"

/** USD written by a person (`10`, `"0.25"`) as nano-USD, exactly; at most 9 decimals. */
const usd = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const decimal = parseDecimal(value)
  const nano = decimal === undefined ? undefined : toScaledInteger(decimal, 9)
  if (nano === undefined) {
    ctx.addIssue({
      code: "custom",
      message: "must be a non-negative USD amount, at most 9 decimals",
    })
    return z.NEVER
  }
  return nano
})

const count = z.number().int().positive()
const period = z.enum(["day", "month", "lifetime"])

const CreateKeyBody = z.strictObject({
  name: z.string(),
  allowed_models: z.array(z.string()).optional(),
  default_max_tokens: count.optional(),
  max_tokens_ceiling: count.optional(),
  budget_usd: usd.optional(),
  budget_period: period.optional(),
  credit_usd: usd.optional(),
  rpm: count.optional(),
  tpm: count.optional(),
})

const UpdateKeyBody = z.strictObject({
  name: z.string().optional(),
  allowed_models: z.array(z.string()).nullable().optional(),
  default_max_tokens: count.nullable().optional(),
  max_tokens_ceiling: count.nullable().optional(),
  budget_usd: usd.nullable().optional(),
  budget_period: period.optional(),
  rpm: count.nullable().optional(),
  tpm: count.nullable().optional(),
})

const TopUpBody = z.strictObject({ amount_usd: usd })

const parse = <A>(schema: z.ZodType<A>, body: unknown): Effect.Effect<A, RequestError> => {
  const result = schema.safeParse(body)
  if (result.success) return Effect.succeed(result.data)

  const issue = result.error.issues[0]
  const param = issue?.path.join(".") || null
  return Effect.fail(
    badRequest(`Invalid key settings: ${param ?? "body"} ${issue?.message}`, param),
  )
}

/** Drops undefined fields, so that "not given" never overwrites a setting. */
const compact = <A extends object>(value: A): A =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

/** Parses a `POST /admin/keys` body (snake_case, USD amounts) into `create`'s input; 400 if bad. */
export const parseCreateKeyBody = (body: unknown): Effect.Effect<CreateKeyInput, RequestError> =>
  Effect.map(parse(CreateKeyBody, body), (b) =>
    compact({
      name: b.name,
      allowedModels: b.allowed_models,
      defaultMaxTokens: b.default_max_tokens,
      maxTokensCeiling: b.max_tokens_ceiling,
      budgetNanoUsd: b.budget_usd,
      budgetPeriod: b.budget_period,
      creditNanoUsd: b.credit_usd,
      rpm: b.rpm,
      tpm: b.tpm,
    }),
  )

/** Parses a `PATCH /admin/keys/{id}` body into `update`'s patch (`null` removes a limit). */
export const parseUpdateKeyBody = (body: unknown): Effect.Effect<KeyUpdate, RequestError> =>
  Effect.map(parse(UpdateKeyBody, body), (b) =>
    compact({
      name: b.name,
      allowedModels: b.allowed_models,
      defaultMaxTokens: b.default_max_tokens,
      maxTokensCeiling: b.max_tokens_ceiling,
      budgetNanoUsd: b.budget_usd,
      budgetPeriod: b.budget_period,
      rpm: b.rpm,
      tpm: b.tpm,
    }),
  )

/** Parses a top-up body `{ "amount_usd": "5" }` into nano-USD. */
export const parseTopUpBody = (body: unknown): Effect.Effect<bigint, RequestError> =>
  Effect.map(parse(TopUpBody, body), (b) => b.amount_usd)

const seconds = (ms: number) => Math.floor(ms / 1_000)

/**
 * A key as the admin API and `tollgate keys --json` show it: snake_case, USD as exact decimal
 * strings, times in Unix seconds like OpenAI's `created`.
 */
export const keyInfoJson = (info: KeyInfo) => ({
  id: info.id,
  object: "key" as const,
  name: info.name,
  allowed_models: info.allowedModels ?? null,
  default_max_tokens: info.defaultMaxTokens ?? null,
  max_tokens_ceiling: info.maxTokensCeiling ?? null,
  budget_usd: info.budgetNanoUsd === undefined ? null : usdString(info.budgetNanoUsd),
  budget_period: info.budgetPeriod,
  spent_usd: usdString(info.spentNanoUsd),
  reserved_usd: usdString(info.reservedNanoUsd),
  credit_usd: info.creditNanoUsd === undefined ? null : usdString(info.creditNanoUsd),
  rpm: info.rpm ?? null,
  tpm: info.tpm ?? null,
  period_start: seconds(info.periodStart),
  revoked_at: info.revokedAt === undefined ? null : seconds(info.revokedAt),
  created_at: seconds(info.createdAt),
  updated_at: seconds(info.updatedAt),
})

/** `create`/`rotate` as JSON: the key info plus `key`, the secret shown this one time. */
export const createdKeyJson = (created: CreatedKey) => ({
  ...keyInfoJson(created.info),
  key: created.key,
})
