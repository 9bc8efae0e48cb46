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
  /** Failures in a row that speak about the deployment's health. */
  consecutiveFailures: number
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
  /** Failures in a row that put a deployment in cooldown. */
  readonly failureThreshold: number
  readonly baseCooldownMs: number
  readonly maxCooldownMs: number
  /** Weight of the newest sample in the latency moving average. */
  readonly latencyAlpha: number
}

/** Defaults: three failures in a row cool a deployment for 5 s, doubling up to a minute. */
export const defaultCooldownOptions: CooldownOptions = {
  failureThreshold: 3,
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
  consecutiveFailures: 0,
  samples: [],
})

const extendTo = (health: DeploymentHealth, until: number) => {
  // A later, longer Retry-After extends the cooldown; a shorter one never cuts it:
  health.cooldownUntil = Math.max(health.cooldownUntil, until)
}

/** Updates the record after a failed attempt; only failures that speak about the deployment count. */
export const recordFailure = (
  health: DeploymentHealth,
  error: GatewayError,
  now: number,
  options: CooldownOptions,
): void => {
  const reason = error.reason
  const wasProbe = health.probing
  health.probing = false

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
  health.consecutiveFailures += 1

  const retryAfter = error.retryAfterMs
  if (retryAfter !== undefined) extendTo(health, now + retryAfter)

  const excess = health.consecutiveFailures - options.failureThreshold
  if (excess >= 0 || wasProbe) {
    const cooldown = Math.min(
      options.maxCooldownMs,
      options.baseCooldownMs * 2 ** Math.max(0, excess),
    )
    extendTo(health, now + cooldown)
  }
}

/** A success ends any cooldown and resets the failure count. */
export const recordSuccess = (
  health: DeploymentHealth,
  latencyMs: number | undefined,
  alpha: number,
) => {
  health.probing = false
  health.cooldownUntil = 0
  health.consecutiveFailures = 0
  if (latencyMs !== undefined) {
    health.samples.push(latencyMs)
    if (health.samples.length > maxSamples) health.samples.shift()
    health.latencyMs =
      health.latencyMs === undefined
        ? latencyMs
        : health.latencyMs + alpha * (latencyMs - health.latencyMs)
  }
}
