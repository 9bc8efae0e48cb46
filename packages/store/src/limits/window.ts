/** Length of a rate-limit window: limits are per minute. */
export const WINDOW_MS = 60_000

/** Start of the one-minute window that contains `nowMs`, aligned to the UTC minute. */
export const windowStart = (nowMs: number): number => nowMs - (nowMs % WINDOW_MS)

/** Milliseconds from `nowMs` until the window that began at `startMs` ends (at least 1). */
export const windowResetMs = (startMs: number, nowMs: number): number =>
  Math.max(1, startMs + WINDOW_MS - nowMs)

/**
 * Whether one more request with `tokens` fits. A single request larger than the whole TPM limit
 * never fits; the caller reports that as its own error.
 */
export const fits = (
  limits: { readonly rpm?: number; readonly tpm?: number },
  used: { readonly requests: number; readonly tokens: number },
  tokens: number,
): "requests" | "tokens" | undefined => {
  if (limits.rpm !== undefined && used.requests + 1 > limits.rpm) return "requests"

  if (limits.tpm !== undefined && used.tokens + tokens > limits.tpm) return "tokens"

  return undefined
}
