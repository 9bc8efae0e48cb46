import { parseDecimal, toScaledInteger } from "@tollgate/core"
import { z } from "zod"
import type { GroupBy } from "./group-by.ts"

const amount = z.union([z.string(), z.number()])

/**
 * One group as the gateway reports it. Read loosely: the group's name may come as `group` or
 * under the dimension's own name, the cost as a USD decimal (`cost_usd`) or as nano-USD.
 */
const UsageRowWire = z.looseObject({
  group: z.string().nullish(),
  model: z.string().nullish(),
  key: z.string().nullish(),
  key_id: z.string().nullish(),
  day: z.string().nullish(),
  provider: z.string().nullish(),
  requests: z.number(),
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  cost_usd: amount.nullish(),
  cost_nano_usd: amount.nullish(),
})
type UsageRowWire = z.infer<typeof UsageRowWire>

/**
 * The answer of `GET /v1/usage?from&to&group_by` as this CLI expects it:
 * `{ "data": [{ "group", "requests", "prompt_tokens", "completion_tokens", "cost_usd" }],
 *    "currency"?: { "code", "rate_per_usd" } }`, USD as exact decimal strings.
 */
export const UsageResponse = z.looseObject({
  data: z.array(UsageRowWire),
  currency: z
    .looseObject({
      code: z.string(),
      rate_per_usd: amount.nullish(),
      rate: amount.nullish(),
    })
    .nullish(),
})
export type UsageResponse = z.infer<typeof UsageResponse>

/** One group with exact amounts, ready to print. */
export interface UsageGroup {
  readonly group: string
  readonly requests: number
  readonly promptTokens: number | undefined
  readonly completionTokens: number | undefined
  /** List price in nano-USD; undefined when the gateway sent an amount that is not one. */
  readonly costNanoUsd: bigint | undefined
}

const nameOf = (row: UsageRowWire, groupBy: GroupBy): string =>
  row.group ?? (groupBy === "key" ? (row.key ?? row.key_id) : row[groupBy]) ?? "(none)"

const nanoUsdOf = (row: UsageRowWire): bigint | undefined => {
  if (row.cost_nano_usd != null) {
    const nano = parseDecimal(row.cost_nano_usd)
    return nano === undefined ? undefined : toScaledInteger(nano, 0)
  }
  if (row.cost_usd == null) return undefined
  const usd = parseDecimal(row.cost_usd)
  return usd === undefined ? undefined : toScaledInteger(usd, 9)
}

/** The rows of a usage answer with their costs read exactly (no float sums). */
export const usageGroups = (response: UsageResponse, groupBy: GroupBy): UsageGroup[] =>
  response.data.map((row) => ({
    group: nameOf(row, groupBy),
    requests: row.requests,
    promptTokens: row.prompt_tokens ?? undefined,
    completionTokens: row.completion_tokens ?? undefined,
    costNanoUsd: nanoUsdOf(row),
  }))
