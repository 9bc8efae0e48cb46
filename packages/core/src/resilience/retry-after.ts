/**
 * The delay an upstream asked for, in ms: `retry-after-ms` (OpenAI, fractional ms) first, then
 * `Retry-After` as seconds or as an HTTP date relative to `now`; undefined when absent or bad.
 */
export const parseRetryAfterMs = (
  headers: Readonly<Record<string, string | undefined>>,
  now: number,
): number | undefined => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && ms.trim() !== "") {
    const value = Number(ms)
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value)
  }

  const raw = headers["retry-after"]?.trim()
  if (raw === undefined || raw === "") return undefined

  const seconds = Number(raw)
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined

  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
