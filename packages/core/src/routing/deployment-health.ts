import type { GatewayError } from "../errors/gateway-error.ts"

/** What the router knows about one deployment, kept for the app's lifetime. */
export interface DeploymentHealth {
  inFlight: number
  /** Moving average of the time to first token (or to the answer), ms; undefined until measured. */
  latencyMs: number | undefined
  /** Epoch ms until which the deployment is skipped; 0 when healthy. */
  cooldownUntil: number
  /** True while the single probe after a cooldown is in flight. */
  probing: boolean
  /** The latest outcomes that speak about health, oldest first: true for a failure. */
  recent: Array<boolean>
  /** Cooldowns since the last success; each one lasts twice as long as the one before. */
  trips: number
  /** The latest latency samples (ms), oldest first, for percentiles. */
  samples: Array<number>
}

/** Latency samples kept per deployment for percentiles. */
const maxSamples = 200

/** Fewest samples before a percentile is trusted. */
const minSamplesForPercentile = 20

/** The p-th percentile (0..1) of the recent latencies; undefined until enough were seen. */
export const latencyPercentile = (health: DeploymentHealth, p: number): number | undefined => {
  if (health.samples.length < minSamplesForPercentile) return undefined
  const sorted = [...health.samples].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

/** Cooldown tuning. */
export interface CooldownOptions {
  /** Fewest failures among the recent outcomes that can put a deployment in cooldown. */
  readonly failureThreshold: number
  /** How many recent outcomes are weighed. */
  readonly window: number
  /** Share of failures among the recent outcomes that trips the cooldown. */
  readonly failureRatio: number
  readonly baseCooldownMs: number
  readonly maxCooldownMs: number
  /** Weight of the newest sample in the latency moving average. */
  readonly latencyAlpha: number
}

/**
 * Defaults: a deployment failing at least 80% of its last 20 attempts (5 in a row at the start)
 * cools for 5 s, doubling up to a minute. A flaky one failing 40% of the time keeps taking
 * traffic (a window of 10 tripped it about every 200 attempts): its failures are retried
 * elsewhere, while a dead one stops receiving requests after 5.
 */
export const defaultCooldownOptions: CooldownOptions = {
  failureThreshold: 5,
  window: 20,
  failureRatio: 0.8,
  baseCooldownMs: 5_000,
  maxCooldownMs: 60_000,
  latencyAlpha: 0.3,
}

/** A fresh record for a deployment never seen. */
export const freshHealth = (): DeploymentHealth => ({
  inFlight: 0,
  latencyMs: undefined,
  cooldownUntil: 0,
  probing: false,
  recent: [],
  trips: 0,
  samples: [],
})

const extendTo = (health: DeploymentHealth, until: number) => {
  // A later, longer Retry-After extends the cooldown; a shorter one never cuts it:
  health.cooldownUntil = Math.max(health.cooldownUntil, until)
}

const remember = (health: DeploymentHealth, failed: boolean, window: number) => {
  health.recent.push(failed)
  if (health.recent.length > window) health.recent.shift()
}

const failingTooOften = (health: DeploymentHealth, options: CooldownOptions): boolean => {
  const failures = health.recent.filter(Boolean).length
  return (
    failures >= options.failureThreshold &&
    failures >= Math.ceil(options.failureRatio * health.recent.length)
  )
}

/**
 * Updates the record after a failed attempt (`wasProbe`: it was the probe after a cooldown);
 * only failures that speak about the deployment count.
 */
export const recordFailure = (
  health: DeploymentHealth,
  error: GatewayError,
  wasProbe: boolean,
  now: number,
  options: CooldownOptions,
): void => {
  const reason = error.reason

  switch (reason._tag) {
    case "QuotaExhausted":
    case "Authentication":
      // Neither clears by itself within seconds:
      extendTo(health, now + options.maxCooldownMs)
      return
    case "RateLimited":
    case "ProviderError":
    case "Network":
    case "Timeout":
    case "InvalidOutput":
      break
    default:
      // The request's own fault (bad input, filtered content): the deployment is fine.
      return
  }
  if (reason._tag === "Timeout" && reason.scope === "deadline") return

  const retryAfter = error.retryAfterMs
  if (reason._tag === "RateLimited" && retryAfter !== undefined) {
    // The provider said when to come back; its cooldown is that, not a failure streak as well:
    extendTo(health, now + retryAfter)
    return
  }
  remember(health, true, options.window)
  if (retryAfter !== undefined) extendTo(health, now + retryAfter)

  if (failingTooOften(health, options)) {
    const cooldown = Math.min(options.maxCooldownMs, options.baseCooldownMs * 2 ** health.trips)
    health.trips += 1
    health.recent = []
    extendTo(health, now + cooldown)
  } else if (wasProbe && retryAfter === undefined && health.trips > 0) {
    // A failed probe after a failure-rate cooldown: cool again, for longer each time.
    const cooldown = Math.min(options.maxCooldownMs, options.baseCooldownMs * 2 ** health.trips)
    health.trips += 1
    extendTo(health, now + cooldown)
  }
}

/**
 * A success counts toward health; it ends the cooldown only when it came after the cooldown's
 * end (the probe), so a request that was already in flight cannot cut a Retry-After short.
 */
export const recordSuccess = (
  health: DeploymentHealth,
  latencyMs: number | undefined,
  now: number,
  options: CooldownOptions,
) => {
  remember(health, false, options.window)
  if (health.cooldownUntil <= now) {
    health.cooldownUntil = 0
    health.trips = 0
  }

  if (latencyMs !== undefined) {
    health.samples.push(latencyMs)
    if (health.samples.length > maxSamples) health.samples.shift()
    const alpha = options.latencyAlpha
    health.latencyMs =
      health.latencyMs === undefined
        ? latencyMs
        : health.latencyMs + alpha * (latencyMs - health.latencyMs)
  }
}
