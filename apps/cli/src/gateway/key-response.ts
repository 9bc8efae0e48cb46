import { z } from "zod"

const usd = z.union([z.string(), z.number()]).nullish()

/** A key as `/admin/keys` shows it (see `keyInfoJson` in @tollgate/store); read loosely. */
export const KeyJson = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  allowed_models: z.array(z.string()).nullish(),
  budget_usd: usd,
  budget_period: z.string().nullish(),
  spent_usd: usd,
  credit_usd: usd,
  rpm: z.number().nullish(),
  tpm: z.number().nullish(),
  revoked_at: z.number().nullish(),
  created_at: z.number().nullish(),
  /** Only in the answers of create and rotate: the secret, shown this one time. */
  key: z.string().nullish(),
})
export type KeyJson = z.infer<typeof KeyJson>

/** `GET /admin/keys`: OpenAI's list shape, or a bare array. */
export const KeyList = z.union([
  z.looseObject({ data: z.array(KeyJson) }).transform((list) => list.data),
  z.array(KeyJson),
])
