import { RequestError } from "@tollgate/core"
import { displayKey } from "../keys/key-format.ts"
import type { KeyRecord } from "../keys/key-info.ts"
import { formatUsd } from "./format-usd.ts"
import { periodEnd } from "./period.ts"

const PERIOD_NAMES = { day: "daily", month: "monthly", lifetime: "lifetime" } as const

const quota = (message: string) =>
  new RequestError({
    status: 429,
    message,
    type: "insufficient_quota",
    code: "insufficient_quota",
    param: null,
    // The openai client retries 429s unless told not to; waiting does not refill a budget.
    headers: { "x-should-retry": "false" },
  })

const max0 = (n: bigint) => (n < 0n ? 0n : n)

/**
 * The 429 `insufficient_quota` for a reservation that did not fit: which budget refused, what is
 * spent, held and left, what the request needed, and when the budget starts again.
 */
export const quotaError = (record: KeyRecord, amountNanoUsd: bigint, nowMs: number) => {
  const key = displayKey(record.id)
  const held = record.reservedNanoUsd
  const needs = `this request may cost up to ${formatUsd(amountNanoUsd)}`
  const budget = record.budgetNanoUsd

  if (budget !== undefined && record.spentNanoUsd + held + amountNanoUsd > budget) {
    const left = max0(budget - record.spentNanoUsd - held)
    const end = periodEnd(record.budgetPeriod, nowMs)
    const when =
      end === undefined
        ? "A lifetime budget does not reset: raise it or use another key."
        : `It resets at ${new Date(end).toISOString()}.`
    return quota(
      `Key ${key} exceeded its ${PERIOD_NAMES[record.budgetPeriod]} budget of ` +
        `${formatUsd(budget)}: ${formatUsd(record.spentNanoUsd)} spent and ${formatUsd(held)} ` +
        `held by requests in flight leave ${formatUsd(left)}, and ${needs}. ${when}`,
    )
  }

  const credit = record.creditNanoUsd ?? 0n
  return quota(
    `Key ${key} has too little prepaid credit: a balance of ${formatUsd(credit)} with ` +
      `${formatUsd(held)} held by requests in flight leaves ${formatUsd(max0(credit - held))}, ` +
      `and ${needs}. Top up the key's credit to continue.`,
  )
}
