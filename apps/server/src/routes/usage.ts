import {
  formatNanoAmount,
  Ledger,
  toBilled,
  type UsageGroupBy,
  type UsageRow,
} from "@tollgate/core"
import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { authenticateRequest } from "../auth/authenticate-request.ts"
import { requestError } from "../http/error-response.ts"
import { handleRequest } from "../http/handle-request.ts"
import { ServerContext } from "../server-context.ts"

const groupings: ReadonlyArray<UsageGroupBy> = ["model", "key", "day", "provider"]

/** A time bound: Unix seconds, or a date/time `Date.parse` reads (`2026-12-01`, ISO 8601). */
const parseTime = (raw: string | null, name: string, fallback: number) => {
  if (raw === null || raw === "") return Effect.succeed(fallback)
  const ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw)
  return Number.isFinite(ms)
    ? Effect.succeed(ms)
    : Effect.fail(
        requestError(400, `${name} must be Unix seconds or a date such as 2026-12-01.`, {
          param: name,
        }),
      )
}

const parseGroupBy = (raw: string | null) => {
  const groupBy = (raw ?? "model") as UsageGroupBy
  return groupings.includes(groupBy)
    ? Effect.succeed(groupBy)
    : Effect.fail(
        requestError(400, `group_by must be one of ${groupings.join(", ")}.`, {
          param: "group_by",
        }),
      )
}

const usd = (nano: bigint) => formatNanoAmount(nano, 9)

/**
 * `GET /v1/usage?from&to&group_by=model|key|day|provider`: the ledger's totals per group, in
 * list USD (exact decimal strings) and in the billing currency. The master key sees every key;
 * a virtual key sees only its own requests.
 */
export const usageRoute = HttpRouter.add(
  "GET",
  "/v1/usage",
  handleRequest((info) =>
    Effect.gen(function* () {
      const principal = yield* authenticateRequest(info.request)
      const { currency } = yield* ServerContext
      const query = new URL(info.request.url, "http://gateway").searchParams
      const from = yield* parseTime(query.get("from"), "from", 0)
      const to = yield* parseTime(query.get("to"), "to", Date.now() + 1)
      const groupBy = yield* parseGroupBy(query.get("group_by"))

      const ledger = yield* Ledger
      const rows = yield* ledger.usage({
        from,
        to,
        groupBy,
        ...(principal.isMaster ? {} : { keyId: principal.keyId }),
      })

      const billed = (nano: bigint) => formatNanoAmount(toBilled(nano, currency).nanoUnits, 9)
      const toJson = (row: UsageRow) => ({
        group: row.group,
        requests: row.requests,
        prompt_tokens: row.promptTokens,
        completion_tokens: row.completionTokens,
        cost_usd: usd(row.costNanoUsd),
        billed_amount: billed(row.costNanoUsd),
      })
      const total = rows.reduce((sum, row) => sum + row.costNanoUsd, 0n)
      return HttpServerResponse.jsonUnsafe({
        object: "list",
        group_by: groupBy,
        from: Math.floor(from / 1000),
        to: Math.floor(to / 1000),
        currency: {
          code: currency.code,
          rate_per_usd: formatRate(currency.rate),
        },
        data: rows.map(toJson),
        total: { cost_usd: usd(total), billed_amount: billed(total) },
      })
    }),
  ),
)

/** An exact decimal `{ units, scale }` as a string (`1`, `7.3`). */
const formatRate = (rate: { readonly units: bigint; readonly scale: number }): string => {
  if (rate.scale === 0) return rate.units.toString()
  const digits = rate.units.toString().padStart(rate.scale + 1, "0")
  return `${digits.slice(0, -rate.scale)}.${digits.slice(-rate.scale)}`
}
