import { defaultCooldownOptions } from "@tollgate/core"
import type { RecordedRequest } from "@tollgate/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CHAOS_MODEL, type ChaosGateway, startChaosGateway } from "./chaos-support/chaos-gateway.ts"
import { percentile } from "./chaos-support/latency.ts"
import { postRawSse } from "./chaos-support/raw-sse.ts"
import { settledRecords } from "./chaos-support/settled.ts"
import { apiError, asArray, asObject, MASTER_KEY } from "./e2e-harness.ts"

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
  // The issue's 30 s deadline: on a starved CI machine a request may wait several cooldown cycles
  // in line; the bar is that it still succeeds and never runs past the deadline.
  const deadlineMs = 30_000
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

  it("1,000 requests at concurrency 50: 99.9% succeed, none past its deadline", async () => {
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
        `p99 ${Math.round(percentile(times, 0.99))} ms, ` +
        `max ${Math.round(Math.max(...times))} ms; ` +
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
  }, 120_000)
})

describe("one of two deployments down", () => {
  // Fewer requests in flight than the breaker's threshold: the attempts still on their way when
  // it trips cannot trip it again by themselves, so the first probe's time is the policy's own.
  const concurrency = 5
  const runForMs = 7_000
  let gateway: ChaosGateway

  beforeAll(async () => {
    gateway = await startChaosGateway({
      // The first deployment answers every request with a 5xx or drops the connection.
      upstreams: [{ random: { seed: 3, status5xx: 0.5, reset: 0.5 } }, {}],
      resilience: { deadlineMs: 5_000, attemptTimeoutMs: 1_000, maxRetries: 2, backoffBaseMs: 10 },
    })
  })

  afterAll(async () => {
    await gateway?.close()
  })

  it("all served by the other; the dead one gets only what cooldowns allow", async () => {
    const [dead, alive] = gateway.upstreams
    if (dead === undefined || alive === undefined) throw new Error("emulators not started")
    const startedAt = Date.now()
    const failures: Array<string> = []
    let served = 0
    const lane = async () => {
      while (Date.now() - startedAt < runForMs) {
        try {
          await gateway.client.chat.completions.create({ model: CHAOS_MODEL, messages })
          served++
        } catch (error) {
          failures.push(error instanceof Error ? error.message : String(error))
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, lane))
    const endedAt = Date.now()
    await settledRecords(gateway.upstreams)

    // The policy the server runs with: the router's defaults (the config cannot change them).
    const { failureThreshold, baseCooldownMs, maxCooldownMs } = defaultCooldownOptions
    expect(concurrency - 1).toBeLessThan(failureThreshold)
    const cooldownMs = (trip: number) => Math.min(maxCooldownMs, baseCooldownMs * 2 ** trip)
    const arrivals = dead.requests.map((r) => r.receivedAt)
    // The breaker trips once `failureThreshold` attempts have failed, not before the last of
    // them arrived; attempts already on their way (one per other request) may still land.
    const trippedNoEarlierThan = arrivals[failureThreshold - 1] ?? Number.POSITIVE_INFINITY
    const burst = arrivals.filter((t) => t <= trippedNoEarlierThan + 200)
    const probes = arrivals.slice(burst.length)
    // After the trip, one probe per cooldown, each failed probe doubling the next one:
    const cooldownEnds: Array<number> = []
    for (let end = trippedNoEarlierThan + cooldownMs(0); end <= endedAt; ) {
      cooldownEnds.push(end)
      end += cooldownMs(cooldownEnds.length)
    }
    // A cooldown ending in the last half second may or may not have met a request yet.
    const surelyProbed = cooldownEnds.filter((end) => end <= endedAt - 500).length
    console.log(
      `chaos, one down: ${served} served in ${endedAt - startedAt} ms; dead deployment got ` +
        `${arrivals.length} attempts (burst ${burst.length}, probes at ` +
        `${probes.map((t) => t - trippedNoEarlierThan).join(", ")} ms after the trip); ` +
        `allowed: burst <= ${failureThreshold + concurrency - 1}, probes <= ${cooldownEnds.length}`,
    )

    expect(failures).toEqual([])
    expect(served).toBeGreaterThan(100)
    expect(alive.requests.filter((r) => r.outcome === "completed").length).toBeGreaterThanOrEqual(
      served,
    )
    expect(dead.requests.every((r) => r.outcome === "fault")).toBe(true)
    expect(burst.length).toBeGreaterThanOrEqual(failureThreshold)
    expect(burst.length).toBeLessThanOrEqual(failureThreshold + concurrency - 1)
    expect(probes.length).toBeLessThanOrEqual(cooldownEnds.length)
    // It kept being probed, so a recovery would have been noticed:
    expect(probes.length).toBeGreaterThanOrEqual(surelyProbed)
    for (const [k, at] of probes.entries()) {
      // 20 ms: the gateway's clock read and the emulator's are a moment apart.
      expect(at, `probe ${k + 1} came too early`).toBeGreaterThanOrEqual(
        (cooldownEnds[k] ?? Number.POSITIVE_INFINITY) - 20,
      )
    }
  }, 30_000)
})

describe("streams and fallbacks: false", () => {
  let gateway: ChaosGateway

  beforeAll(async () => {
    gateway = await startChaosGateway({
      upstreams: [{}, {}],
      resilience: { deadlineMs: 5_000, maxRetries: 2, backoffBaseMs: 10 },
    })
  })

  afterAll(async () => {
    await gateway?.close()
  })

  const resetUpstreams = () => {
    for (const upstream of gateway.upstreams) upstream.reset()
  }

  it("a stream cut after its first chunks ends with an error event and no [DONE]", async () => {
    resetUpstreams()
    // Whichever deployment goes first cuts its stream after three chunks:
    for (const upstream of gateway.upstreams)
      upstream.enqueueFault({ kind: "cut", afterChunks: 3 }, { model: CHAOS_MODEL })
    const sse = await postRawSse(gateway.server.url, MASTER_KEY, {
      model: CHAOS_MODEL,
      messages,
      stream: true,
      fallbacks: false,
    })
    const records = await settledRecords(gateway.upstreams)

    expect(sse.status).toBe(200)
    expect(sse.contentType).toMatch(/text\/event-stream/)
    expect(sse.data).not.toContain("[DONE]")
    const events = sse.data.map((d) => asObject(JSON.parse(d)))
    const last = events.at(-1) ?? {}
    expect(asObject(last.error).message).toEqual(expect.any(String))
    // Content reached the client before the cut, so the stream was committed to its deployment:
    const contents = events
      .slice(0, -1)
      .map((e) => asObject(asObject(asArray(e.choices)[0]).delta).content)
    expect(contents.some((c) => typeof c === "string" && c.length > 0)).toBe(true)
    expect(records).toHaveLength(1)
    expect(records[0]?.fault).toEqual({ kind: "cut", afterChunks: 3 })
    resetUpstreams()
  })

  it("the openai client reads a cut stream as an error, not as a complete answer", async () => {
    resetUpstreams()
    for (const upstream of gateway.upstreams)
      upstream.enqueueFault({ kind: "cut", afterChunks: 3 }, { model: CHAOS_MODEL })
    const texts: Array<string> = []
    const consume = async () => {
      const stream = await gateway.client.chat.completions.create({
        model: CHAOS_MODEL,
        messages,
        stream: true,
      })
      for await (const chunk of stream) texts.push(chunk.choices[0]?.delta.content ?? "")
    }

    await expect(consume()).rejects.toThrow()
    expect(texts.join("")).toMatch(/\S/)
    // Committed after its first content: even with fallbacks on, nothing was called again.
    expect(await settledRecords(gateway.upstreams)).toHaveLength(1)
    resetUpstreams()
  })

  it("with fallbacks: false a failing deployment is retried, no other called", async () => {
    resetUpstreams()
    for (const upstream of gateway.upstreams)
      upstream.enqueueFault({ kind: "status", status: 503 }, { model: CHAOS_MODEL, times: 10 })
    const sse = await postRawSse(gateway.server.url, MASTER_KEY, {
      model: CHAOS_MODEL,
      messages,
      stream: true,
      fallbacks: false,
    })
    await settledRecords(gateway.upstreams)

    // Nothing was streamed yet, so the failure is an ordinary error status:
    expect(sse.status).toBe(502)
    const called = gateway.upstreams.filter((u) => u.requests.length > 0)
    expect(called).toHaveLength(1)
    // maxRetries: 2 above, so three attempts, all on the one deployment:
    expect(called[0]?.requests.map((r) => r.status)).toEqual([503, 503, 503])
    resetUpstreams()
  })
})

describe("a deadline with stalling upstreams", () => {
  const timeoutMs = 1_500
  let gateway: ChaosGateway

  beforeAll(async () => {
    gateway = await startChaosGateway({
      upstreams: [{}, {}],
      // Attempts time out well inside the deadline, so retries and a fallback do happen in it.
      resilience: { deadlineMs: 30_000, attemptTimeoutMs: 400, maxRetries: 2, backoffBaseMs: 25 },
    })
  })

  afterAll(async () => {
    await gateway?.close()
  })

  it("ends at the client's x-tollgate-timeout-ms with a 504, every attempt closed", async () => {
    for (const upstream of gateway.upstreams)
      upstream.enqueueFault({ kind: "stall" }, { model: CHAOS_MODEL, times: 20 })
    const startedAt = Date.now()
    const error = await apiError(
      gateway.client.chat.completions.create(
        { model: CHAOS_MODEL, messages },
        { headers: { "x-tollgate-timeout-ms": String(timeoutMs) } },
      ),
    )
    const elapsed = Date.now() - startedAt
    const records = await settledRecords(gateway.upstreams)
    // Anything the gateway still had scheduled would start within moments of the deadline:
    await new Promise((resolve) => setTimeout(resolve, 200))
    console.log(
      `chaos, deadline: 504 after ${elapsed} ms; attempts at ` +
        `${records.map((r) => `${r.receivedAt - startedAt}-${(r.endedAt ?? 0) - startedAt}`)} ms`,
    )

    expect(error.status).toBe(504)
    const body = asObject(error.error)
    expect(body).toMatchObject({ message: expect.any(String), type: expect.any(String) })
    expect(body).toHaveProperty("code")
    expect(elapsed).toBeLessThan(timeoutMs + clientMarginMs)
    // It retried and fell back inside the deadline, and left nothing hanging upstream:
    expect(records.length).toBeGreaterThanOrEqual(3)
    expect(gateway.upstreams.flatMap((u) => u.requests)).toHaveLength(records.length)
    for (const record of records) {
      expect(record.outcome).toBe("client-closed")
      // The gateway's clock starts a moment after the client's, and an attempt begun just
      // before its deadline reaches the emulator a moment later: 50 ms for both.
      expect(record.receivedAt - startedAt).toBeLessThan(timeoutMs + 50)
      expect((record.endedAt ?? Number.POSITIVE_INFINITY) - startedAt).toBeLessThan(
        timeoutMs + clientMarginMs,
      )
    }
    expect(gateway.upstreams.every((u) => u.requests.length > 0)).toBe(true)
  })
})
