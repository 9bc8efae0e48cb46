import { defaultCooldownOptions } from "@tollgate/core"
import type { RecordedRequest } from "@tollgate/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CHAOS_MODEL, type ChaosGateway, startChaosGateway } from "./chaos-support/chaos-gateway.ts"
import { percentile } from "./chaos-support/latency.ts"
import { postRawSse } from "./chaos-support/raw-sse.ts"
import { settledRecords } from "./chaos-support/settled.ts"
import { apiError, asObject, MASTER_KEY } from "./e2e-harness.ts"

// Issue 6's chaos suite through the real server: emulators inject faults into real traffic, the
// `openai` client (no retries of its own) sees only what the gateway makes of them.

// Issue 6's fault mix: 20% 5xx, 10% 429 with Retry-After: 1, 5% resets, 5% stalls.
const flakyProfile = {
  status5xx: 0.2,
  status429: 0.1,
  retryAfterSeconds: 1,
  reset: 0.05,
  stall: 0.05,
}

// What the client itself may add to a request's time on a busy two-core machine.
const clientMarginMs = 300

const messages = [{ role: "user" as const, content: "Hello" }]

/** Counts of recorded upstream attempts by how they ended, for the test output. */
const outcomes = (records: ReadonlyArray<RecordedRequest>) =>
  Object.fromEntries(
    ["completed", "fault", "client-closed", "in-flight"].map((o) => [
      o,
      records.filter((r) => r.outcome === o).length,
    ]),
  )

describe("two flaky deployments", () => {
  const deadlineMs = 10_000
  let gateway: ChaosGateway

  beforeAll(async () => {
    gateway = await startChaosGateway({
      upstreams: [
        { random: { seed: 7, ...flakyProfile } },
        { random: { seed: 11, ...flakyProfile } },
      ],
      // Short attempt limits make a stall cost 400 ms, not the deadline.
      resilience: { deadlineMs, attemptTimeoutMs: 400, maxRetries: 4, backoffBaseMs: 25 },
    })
  })

  afterAll(async () => {
    await gateway?.close()
  })

  it("1,000 requests at concurrency 50 succeed at 99.9% or better, none past its deadline", async () => {
    const total = 1_000
    const concurrency = 50
    const results: Array<{ ok: boolean; ms: number; why: string }> = []
    let next = 0
    const lane = async () => {
      for (let i = next++; i < total; i = next++) {
        const startedAt = performance.now()
        try {
          await gateway.client.chat.completions.create({
            model: CHAOS_MODEL,
            messages: [{ role: "user", content: `Request ${i}` }],
          })
          results.push({ ok: true, ms: performance.now() - startedAt, why: "" })
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error)
          results.push({ ok: false, ms: performance.now() - startedAt, why })
        }
      }
    }
    const began = performance.now()
    await Promise.all(Array.from({ length: concurrency }, lane))
    const wallMs = performance.now() - began

    const records = await settledRecords(gateway.upstreams)
    const times = results.map((r) => r.ms)
    const succeeded = results.filter((r) => r.ok).length
    console.log(
      `chaos: ${succeeded}/${total} succeeded in ${Math.round(wallMs)} ms; ` +
        `latency p50 ${Math.round(percentile(times, 0.5))} ms, ` +
        `p99 ${Math.round(percentile(times, 0.99))} ms, max ${Math.round(Math.max(...times))} ms; ` +
        `upstream attempts ${records.length} ` +
        `(${gateway.upstreams.map((u) => u.requests.length).join(" + ")}), ` +
        `${JSON.stringify(outcomes(records))}`,
    )

    const failures = results.filter((r) => !r.ok).map((r) => r.why)
    expect(results).toHaveLength(total)
    expect(succeeded, failures.join(" | ")).toBeGreaterThanOrEqual(0.999 * total)
    expect(Math.max(...times)).toBeLessThan(deadlineMs + clientMarginMs)
    // The faults were really injected and really retried:
    expect(records.filter((r) => r.outcome !== "completed").length).toBeGreaterThan(300)
    expect(records.filter((r) => r.status === 429).length).toBeGreaterThan(50)
  }, 60_000)
})
