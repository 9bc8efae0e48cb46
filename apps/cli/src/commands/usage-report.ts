import {
  type BillingCurrency,
  formatNanoAmount,
  parseDecimal,
  toBilled,
  USD,
  usdString,
} from "@tollgate/core"
import { Console, Effect } from "effect"
import { type CliFailure, cliFailure } from "../cli-failure.ts"
import type { Connection } from "../gateway/connection-flags.ts"
import type { GroupBy } from "../gateway/group-by.ts"
import { requestJson } from "../gateway/request-json.ts"
import type { TimeRange } from "../gateway/time-range.ts"
import { type UsageGroup, UsageResponse, usageGroups } from "../gateway/usage-response.ts"
import { renderTable } from "../render/table.ts"

/** Decimals shown in the table; `--json` carries the exact amounts. */
const TABLE_DECIMALS = 6

/** What `tollgate usage` asks for. */
export interface UsageOptions {
  readonly range: TimeRange
  readonly groupBy: GroupBy
  /** `--currency` and `--rate`; otherwise the gateway's billing currency, otherwise USD. */
  readonly currency: { readonly code: string; readonly rate: string | undefined } | undefined
  readonly json: boolean
}

const billingCurrency = (
  asked: UsageOptions["currency"],
  reported: UsageResponse["currency"],
): Effect.Effect<BillingCurrency, CliFailure> => {
  const code = asked?.code ?? reported?.code ?? "USD"
  const sameAsReported = reported?.code === code
  const rateText =
    asked?.rate ??
    (sameAsReported ? (reported?.rate_per_usd ?? reported?.rate) : undefined) ??
    (code === "USD" ? "1" : undefined)
  if (rateText == null) {
    return Effect.fail(cliFailure(`--currency ${code} needs --rate (billed ${code} per list USD)`))
  }
  const rate = parseDecimal(rateText)
  if (rate === undefined || rate.units === 0n) {
    return Effect.fail(cliFailure(`--rate must be a positive decimal, got "${rateText}"`))
  }
  return Effect.succeed(
    code === "USD" && rateText === "1" ? USD : { code, rate, displayDecimals: 2 },
  )
}

const sumNano = (groups: ReadonlyArray<UsageGroup>): bigint | undefined =>
  groups.every((g) => g.costNanoUsd !== undefined)
    ? groups.reduce((sum, g) => sum + (g.costNanoUsd ?? 0n), 0n)
    : undefined

const sumTokens = (values: ReadonlyArray<number | undefined>): number | undefined =>
  values.every((v) => v !== undefined)
    ? values.reduce<number>((sum, v) => sum + (v ?? 0), 0)
    : undefined

const shown = (value: number | undefined): string => (value === undefined ? "?" : String(value))

const usd = (nano: bigint | undefined): string =>
  nano === undefined ? "?" : formatNanoAmount(nano, TABLE_DECIMALS)

const billed = (nano: bigint | undefined, currency: BillingCurrency): string =>
  nano === undefined ? "?" : formatNanoAmount(toBilled(nano, currency).nanoUnits, TABLE_DECIMALS)

const exact = (nano: bigint | undefined) => (nano === undefined ? null : usdString(nano))

const rateString = (currency: BillingCurrency): string =>
  formatNanoAmount(toBilled(1_000_000_000n, currency).nanoUnits, 9).replace(/\.?0+$/, "")

/** Asks the gateway for a usage report and prints it with list USD and the billed amount. */
export const runUsage = (
  connection: Connection,
  options: UsageOptions,
): Effect.Effect<void, CliFailure> =>
  Effect.gen(function* () {
    const query = new URLSearchParams({
      from: new Date(options.range.from).toISOString(),
      to: new Date(options.range.to).toISOString(),
      group_by: options.groupBy,
    })
    const answer = yield* requestJson(connection, { method: "GET", path: `/v1/usage?${query}` })
    const parsed = UsageResponse.safeParse(answer)
    if (!parsed.success) {
      return yield* cliFailure("the gateway's usage answer is not a report this CLI can read")
    }
    const currency = yield* billingCurrency(options.currency, parsed.data.currency)
    const groups = usageGroups(parsed.data, options.groupBy)
    const total = {
      requests: groups.reduce((sum, g) => sum + g.requests, 0),
      promptTokens: sumTokens(groups.map((g) => g.promptTokens)),
      completionTokens: sumTokens(groups.map((g) => g.completionTokens)),
      // Converted once on the total, not summed per row, so billed totals match to the unit.
      costNanoUsd: sumNano(groups),
    }

    if (options.json) {
      const row = (g: Omit<UsageGroup, "group">) => ({
        requests: g.requests,
        prompt_tokens: g.promptTokens ?? null,
        completion_tokens: g.completionTokens ?? null,
        cost_usd: exact(g.costNanoUsd),
        billed:
          g.costNanoUsd === undefined
            ? null
            : formatNanoAmount(toBilled(g.costNanoUsd, currency).nanoUnits, 9),
      })
      const report = {
        from: new Date(options.range.from).toISOString(),
        to: new Date(options.range.to).toISOString(),
        group_by: options.groupBy,
        currency: { code: currency.code, rate_per_usd: rateString(currency) },
        data: groups.map((g) => ({ group: g.group, ...row(g) })),
        total: row(total),
      }
      return yield* Console.log(JSON.stringify(report, null, 2))
    }

    const rows = [...groups, { group: "total", ...total }].map((g) => [
      g.group,
      String(g.requests),
      shown(g.promptTokens),
      shown(g.completionTokens),
      usd(g.costNanoUsd),
      billed(g.costNanoUsd, currency),
    ])
    const right = { align: "right" } as const
    const table = renderTable(
      [
        { head: options.groupBy },
        { head: "requests", ...right },
        { head: "prompt tokens", ...right },
        { head: "completion tokens", ...right },
        { head: "list USD", ...right },
        { head: `billed ${currency.code}`, ...right },
      ],
      rows,
    )
    const from = new Date(options.range.from).toISOString()
    const to = new Date(options.range.to).toISOString()
    const billing =
      currency.code === "USD"
        ? ""
        : ` (billed in ${currency.code} at ${rateString(currency)} per list USD)`
    yield* Console.log(`Usage from ${from} to ${to}${billing}\n${table}`)
  })
