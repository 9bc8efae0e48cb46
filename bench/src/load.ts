import autocannon from "autocannon"
import { percentile } from "./percentile.ts"
import type { Target } from "./targets.ts"

/** How hard and how long to push each target. */
export interface LoadOptions {
  readonly connections: number
  readonly durationSeconds: number
  readonly warmupSeconds: number
}

/** What one target sustained. Latencies in ms, measured per response to the microsecond. */
export interface Measurement {
  readonly target: string
  readonly requests: number
  readonly rps: number
  readonly p50: number
  /** p90 and p95 show a tail p99 straddles, e.g. a 1% chance that both hedged sides are slow. */
  readonly p90: number
  readonly p95: number
  readonly p99: number
  /** Responses that were not 2xx, connection errors and timeouts. */
  readonly failures: number
}

// Bounds the latency samples kept: far above what 10 s on loopback produces, so never reached
// in a normal run, yet a runaway run cannot grow memory without limit.
const MAX_SAMPLES = 5_000_000

interface Run {
  readonly latencies: number[]
  readonly durationSeconds: number
  readonly failures: number
}

const fire = (target: Target, body: string, connections: number, seconds: number) =>
  new Promise<Run>((resolve, reject) => {
    const latencies: number[] = []
    let failures = 0
    const instance = autocannon(
      {
        url: target.url,
        method: "POST",
        headers: target.headers,
        body,
        connections,
        duration: seconds,
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error)
        resolve({
          latencies,
          durationSeconds: result.duration,
          failures: failures + result.errors + result.timeouts,
        })
      },
    )
    // autocannon's own histogram keeps whole milliseconds; a proxy's overhead is a fraction of
    // one, so every response time is kept as measured (float ms).
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 200 || statusCode > 299) failures++
      else if (latencies.length < MAX_SAMPLES) latencies.push(responseTime)
    })
  })

/** One request first: a target that cannot answer is reported, not benchmarked. */
export const preflight = async (target: Target, body: string): Promise<string | undefined> => {
  try {
    const answer = await fetch(target.url, {
      method: "POST",
      headers: target.headers,
      body,
      signal: AbortSignal.timeout(15_000),
    })
    const text = await answer.text()
    if (!answer.ok) return `answered ${answer.status}: ${text.slice(0, 200)}`
    const stream = text.startsWith("data:")
    if (stream ? !text.includes("data: [DONE]") : !text.includes('"choices"')) {
      return `answered 200 without a completion: ${text.slice(0, 200)}`
    }
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** Warms the target up (connections, JIT, caches), then measures it for the set duration. */
export const measure = async (
  target: Target,
  body: string,
  options: LoadOptions,
): Promise<Measurement> => {
  if (options.warmupSeconds > 0) {
    await fire(target, body, options.connections, options.warmupSeconds)
  }
  const run = await fire(target, body, options.connections, options.durationSeconds)
  const sorted = run.latencies.sort((a, b) => a - b)
  return {
    target: target.name,
    requests: sorted.length,
    rps: sorted.length / run.durationSeconds,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    failures: run.failures,
  }
}
