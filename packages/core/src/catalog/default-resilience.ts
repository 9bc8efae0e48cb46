import type { ResiliencePolicy } from "./types.ts"

/**
 * Timeouts and retries used when the config says nothing. The deadline bounds everything, so a
 * stalled provider costs a caller at most `deadlineMs`, however many retries are left.
 */
export const defaultResilience: ResiliencePolicy = {
  deadlineMs: 120_000,
  attemptTimeoutMs: 60_000,
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  maxRetries: 2,
  backoffBaseMs: 500,
}
