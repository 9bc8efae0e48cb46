const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000

/** A half-open range `[from, to)` of epoch ms, as the ledger reports over it. */
export interface TimeRange {
  readonly from: number
  readonly to: number
}

/**
 * Reads `--from`/`--to`: a UTC date (`2026-12-01`) or an ISO time. A date given as `--to`
 * counts its whole day, so `--from 2026-12-01 --to 2026-12-01` is that one day.
 */
export const parseTimeBound = (text: string, bound: "from" | "to"): number | undefined => {
  const trimmed = text.trim()
  const ms = Date.parse(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed)
  if (Number.isNaN(ms)) return undefined
  return bound === "to" && DATE_ONLY.test(trimmed) ? ms + DAY_MS : ms
}

/** Without flags: from the start of this UTC month to the end of today. */
export const defaultRange = (now: number): TimeRange => {
  const today = new Date(now)
  const monthStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1)
  const tomorrow = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 1)
  return { from: monthStart, to: tomorrow }
}
