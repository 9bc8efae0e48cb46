import { createServer, type Server } from "node:net"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { Effect, Exit, Layer } from "effect"
import { defaultPriceBook } from "../accounting/index.ts"
import type { Deployment, ModelInfo, ResiliencePolicy } from "../catalog/types.ts"
import { defaultCooldownOptions } from "../routing/deployment-health.ts"
import { Router } from "../routing/router.ts"
import { GatewayConfig } from "./api.ts"
import { complete } from "./complete.ts"
import { admissionAllowAll, inMemoryLedger } from "./default-services.ts"
import { testContext, testModel } from "./testing/gateway-fixture.ts"

// Issue 6's fault mix: 20% 5xx, 10% 429 with Retry-After: 1, 5% resets, 5% stalls.
const profile = { status5xx: 0.2, status429: 0.1, retryAfterSeconds: 1, reset: 0.05, stall: 0.05 }

// Short cooldowns keep the suite quick; the rules are the same as with the defaults.
const cooldowns = { baseCooldownMs: 500, maxCooldownMs: 2_000 }

/** A deployment that is down: it accepts each connection and drops it, noting when. */
const deadUpstream = async () => {
  const connectedAt: Array<number> = []
  const server: Server = createServer((socket) => {
    connectedAt.push(Date.now())
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return { baseUrl: `http://127.0.0.1:${port}/v1`, connectedAt, close }
}

let flaky: Array<Emulator> = []
let healthy: Emulator | undefined
let dead: Awaited<ReturnType<typeof deadUpstream>> | undefined

beforeAll(async () => {
  flaky = [
    await startEmulator({ port: 0, random: { seed: 7, ...profile } }),
    await startEmulator({ port: 0, random: { seed: 11, ...profile } }),
  ]
  healthy = await startEmulator({ port: 0 })
  dead = await deadUpstream()
})
afterAll(async () => {
  for (const upstream of flaky) await upstream.close()
  await healthy?.close()
  await dead?.close()
})

const deployment = (baseUrl: string, name: string): Deployment => ({
  id: `gpt-4.1@${name}`,
  provider: name,
  api: "openai",
  upstreamModel: "gpt-4.1",
  baseUrl,
  weight: 1,
  emulated: true,
})

const gatewayLayer = (model: ModelInfo) => {
  const ledger = inMemoryLedger()
  const layer = Layer.mergeAll(
    NodeHttpClient.layerUndici,
    ledger.layer,
    Layer.succeed(GatewayConfig, {
      catalog: { models: new Map([[model.id, model]]) },
      prices: defaultPriceBook,
    }),
    admissionAllowAll,
    Router.layerWith(cooldowns),
  )
  return { layer, entries: ledger.entries }
}

const twoDeployments = (
  deployments: ReadonlyArray<Deployment>,
  resilience: Partial<ResiliencePolicy>,
): ModelInfo => ({
  ...testModel([], resilience),
  deployments,
  routing: "least-busy",
})

/** One request through the whole path, timed from its arrival, with why it failed. */
const oneRequest = (i: number) =>
  Effect.gen(function* () {
    const receivedAt = Date.now()
    const exit = yield* Effect.exit(
      complete(
        { model: "gpt-4.1", messages: [{ role: "user", content: `Request ${i}` }] },
        testContext({ requestId: `r${i}`, receivedAt }),
      ),
    )
    const reason = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
    const why =
      reason === undefined ? "" : reason._tag === "Fail" ? reason.error.message : reason._tag
    return { ok: Exit.isSuccess(exit), elapsed: Date.now() - receivedAt, why }
  })

describe("chaos", () => {
  // About 15-25 s on two cores: every 429's Retry-After cools its deployment for a second, so
  // both are cooling most of the time and requests wait in line for the next probe.
  it.live(
    "two flaky deployments: 1,000 requests at concurrency 50, 99.9% succeed, none past deadline",
    () => {
      const [one, two] = flaky
      if (one === undefined || two === undefined) throw new Error("emulators not started")
      // The 30 s deadline: on a starved CI machine a request may wait several cooldown
      // cycles in line; the bar is that it still succeeds, and never runs past the deadline.
      const deadlineMs = 30_000
      const model = twoDeployments(
        [deployment(one.openaiBaseUrl, "one"), deployment(two.openaiBaseUrl, "two")],
        { deadlineMs, attemptTimeoutMs: 400, maxRetries: 4, backoffBaseMs: 25 },
      )
      const gateway = gatewayLayer(model)

      return Effect.gen(function* () {
        const results = yield* Effect.forEach(
          Array.from({ length: 1_000 }, (_, i) => i),
          oneRequest,
          { concurrency: 50 },
        )
        const succeeded = results.filter((r) => r.ok).length
        const failures = results.filter((r) => !r.ok).map((r) => r.why)
        assert.isAtLeast(succeeded, 999, `${succeeded} of 1000 succeeded: ${failures.join(" | ")}`)
        // The gateway stops at the deadline itself; 100 ms covers a busy event loop's lateness:
        assert.isBelow(Math.max(...results.map((r) => r.elapsed)), deadlineMs + 100)
        assert.strictEqual(gateway.entries.length, 1_000)
        // The faults were really there and really retried:
        const faults = [...one.requests, ...two.requests].filter((r) => r.outcome !== "completed")
        assert.isAbove(faults.length, 300)
      }).pipe(Effect.provide(gateway.layer))
    },
    120_000,
  )

  it.live(
    "one of two down: every request succeeds; the dead one gets only what cooldowns allow",
    () => {
      if (healthy === undefined || dead === undefined) throw new Error("upstreams not started")
      const down = dead
      const model = twoDeployments(
        [deployment(down.baseUrl, "dead"), deployment(healthy.openaiBaseUrl, "alive")],
        { deadlineMs: 5_000, attemptTimeoutMs: 1_000, maxRetries: 2, backoffBaseMs: 10 },
      )
      const gateway = gatewayLayer(model)
      const concurrency = 10
      const runForMs = 4_000

      return Effect.gen(function* () {
        const startedAt = Date.now()
        const results: Array<{ readonly ok: boolean; readonly why: string }> = []
        yield* Effect.forEach(
          Array.from({ length: concurrency }, (_, lane) => lane),
          (lane) =>
            Effect.gen(function* () {
              for (let i = 0; Date.now() - startedAt < runForMs; i++) {
                results.push(yield* oneRequest(lane * 100_000 + i))
              }
            }),
          { concurrency },
        )
        const elapsed = Date.now() - startedAt

        const failed = results.filter((r) => !r.ok)
        assert.deepStrictEqual(failed, [], "a request failed although one deployment was up")
        // Enough traffic that the dead one would have drawn more than its share without cooldowns:
        assert.isAbove(results.length, 20)

        // Before the breaker trips it takes `failureThreshold` failures; requests already on
        // their way then may each add one. After that: one probe per cooldown, each cooldown
        // twice the one before (500 ms, 1 s, 2 s, capped at 2 s).
        const times = down.connectedAt.map((t) => t - startedAt)
        const threshold = defaultCooldownOptions.failureThreshold
        const burst = times.filter((t) => t < (times[threshold - 1] ?? 0) + 200).length
        assert.isAtLeast(burst, threshold)
        assert.isAtMost(burst, threshold + concurrency - 1)

        const probes = times.slice(burst)
        const cooldownMs = (k: number) =>
          Math.min(cooldowns.maxCooldownMs, cooldowns.baseCooldownMs * 2 ** k)
        // The breaker trips no earlier than the failure of the `threshold`-th attempt:
        let previous = times[threshold - 1] ?? 0
        for (const [k, at] of probes.entries()) {
          // 20 ms: the gateway's clock reads and the socket's arrival are a moment apart.
          assert.isAtLeast(at - previous, cooldownMs(k) - 20, `probe ${k + 1} came too early`)
          previous = at
        }
        let allowed = 0
        for (let spent = cooldownMs(0); spent <= elapsed; spent += cooldownMs(allowed)) allowed++
        assert.isAtMost(probes.length, allowed)
        // It kept being probed, so a recovery would have been noticed:
        assert.isAtLeast(probes.length, allowed - 1)
      }).pipe(Effect.provide(gateway.layer))
    },
    30_000,
  )
})
