import { postgresOrSkip } from "@tollgate/store/testing"
import type OpenAI from "openai"
import { describe, expect, it } from "vitest"
import { createKey, getKey, nanoUsd, usdOf } from "./keys-support/admin-api.ts"
import { type Cluster, clientOn, instance, useCluster } from "./keys-support/gateway-cluster.ts"
import { runConcurrently, waitFor } from "./keys-support/run-concurrently.ts"
import { gatewayWorstCase, type SimpleRequest } from "./keys-support/worst-case-of.ts"

/** Generous: two-core machines run several suites at once. */
const TIMEOUT_MS = 30_000

// Skips with a message when PostgreSQL is down locally; fails in CI.
const hasPostgres = await postgresOrSkip()

// max_tokens set, so that the worst case the gateway reserves is known to the nano-dollar:
const request: SimpleRequest = {
  model: "gpt-4.1",
  messages: [{ role: "user", content: "Name one colour." }],
  max_tokens: 1_000,
}
const worst = gatewayWorstCase(request).nanoUsd

/**
 * 200 concurrent requests against a budget of exactly 10 worst cases, spread over the cluster's
 * instances. Upstream calls are held at the gate until every request was admitted or refused,
 * so the 10 admitted ones keep their holds while the other 190 are decided.
 */
const overrunAttempt = async (cluster: Cluster) => {
  const budget = 10n * worst
  const key = await createKey(instance(cluster, 0), {
    name: "ten-worst-cases",
    budget_usd: usdOf(budget),
    budget_period: "lifetime",
  })
  let attempts = 0
  const clients = cluster.servers.map((server) =>
    clientOn(server, key.key, { onFetch: () => (attempts += 1) }),
  )
  cluster.gate.reset()
  cluster.gate.hold()
  const logsBefore = cluster.logs.length

  const running = runConcurrently(200, (i) =>
    (clients[i % clients.length] as OpenAI).chat.completions.create(request).withResponse(),
  )
  await waitFor("every request admitted or refused", () => {
    return cluster.gate.held() + running.settled() === 200
  })
  const whileHeld = await getKey(instance(cluster, 1), key.id)
  const heldUpstream = cluster.gate.held()
  cluster.gate.release()
  const outcomes = await running.all

  const admitted = outcomes.filter((o) => o.ok)
  const refused = outcomes.flatMap((o) => (o.ok ? [] : [o.error]))
  expect(heldUpstream).toBe(10)
  expect(admitted).toHaveLength(10)
  expect(nanoUsd(whileHeld.spent_usd) + nanoUsd(whileHeld.reserved_usd)).toBeLessThanOrEqual(budget)
  expect(refused).toHaveLength(190)
  for (const error of refused) {
    expect(error.status).toBe(429)
    expect(error.code).toBe("insufficient_quota")
    expect(error.headers?.get("x-should-retry")).toBe("false")
  }

  // The client made one attempt per call (it did not retry the 429s), and only the admitted
  // ones reached the provider:
  expect(attempts).toBe(200)
  expect(cluster.gate.arrived()).toBe(10)

  // And the gateways saw exactly 200 requests, 190 of them refused with 429:
  const chatStatuses = () =>
    cluster.logs.slice(logsBefore).flatMap((line) => {
      const entry = JSON.parse(line) as { path?: string; status?: number }
      return entry.path === "/v1/chat/completions" ? [entry.status] : []
    })
  await waitFor("every request's log line", () => chatStatuses().length >= 200)
  expect(chatStatuses()).toHaveLength(200)
  expect(chatStatuses().filter((status) => status === 429)).toHaveLength(190)

  // Settlement runs after the response; once the holds are gone, spend is within the budget:
  await waitFor("every hold released", async () => {
    return nanoUsd((await getKey(instance(cluster, 0), key.id)).reserved_usd) === 0n
  })
  const after = await getKey(instance(cluster, 0), key.id)
  expect(nanoUsd(after.spent_usd)).toBeLessThanOrEqual(budget)
  // ...and it is exactly what the 10 answers reported they cost:
  const reported = admitted.reduce(
    (sum, o) =>
      sum + (o.ok ? nanoUsd(o.value.response.headers.get("x-tollgate-cost-usd") ?? "") : 0n),
    0n,
  )
  expect(reported).toBeGreaterThan(0n)
  expect(nanoUsd(after.spent_usd)).toBe(reported)
}

/** Eight concurrent first requests against a budget of one nano-dollar: none goes upstream. */
const nanoBudgetAttempt = async (cluster: Cluster) => {
  const key = await createKey(instance(cluster, 0), {
    name: "one-nano-dollar",
    budget_usd: "0.000000001",
    budget_period: "day",
  })
  expect(worst).toBeGreaterThan(1n)
  cluster.gate.reset()
  let attempts = 0
  const clients = cluster.servers.map((server) =>
    clientOn(server, key.key, { onFetch: () => (attempts += 1) }),
  )

  const outcomes = await runConcurrently(8, (i) =>
    (clients[i % clients.length] as OpenAI).chat.completions.create(request),
  ).all

  for (const outcome of outcomes) {
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) {
      expect(outcome.error.status).toBe(429)
      expect(outcome.error.code).toBe("insufficient_quota")
      expect(outcome.error.message).toContain("budget of $0.000000001")
      expect(outcome.error.headers?.get("x-should-retry")).toBe("false")
    }
  }
  expect(attempts).toBe(8)
  expect(cluster.gate.arrived()).toBe(0)
  const after = await getKey(instance(cluster, 0), key.id)
  expect(nanoUsd(after.spent_usd) + nanoUsd(after.reserved_usd)).toBe(0n)
}

describe("budgets through one gateway on SQLite", () => {
  const cluster = useCluster({ instances: 1, database: "sqlite" }, TIMEOUT_MS)

  it(
    "admits exactly the 10 worst cases a budget fits out of 200 concurrent requests",
    async () => {
      await overrunAttempt(cluster())
    },
    TIMEOUT_MS,
  )

  it(
    "admits none of 8 concurrent first requests against a budget of $0.000000001",
    async () => {
      await nanoBudgetAttempt(cluster())
    },
    TIMEOUT_MS,
  )
})

describe.skipIf(!hasPostgres)("budgets through two gateways on one PostgreSQL database", () => {
  const cluster = useCluster({ instances: 2, database: "postgres" }, TIMEOUT_MS)

  it(
    "admits exactly the 10 worst cases a budget fits out of 200 requests on two instances",
    async () => {
      await overrunAttempt(cluster())
    },
    TIMEOUT_MS,
  )

  it(
    "admits none of 8 concurrent first requests on two instances with a $0.000000001 budget",
    async () => {
      await nanoBudgetAttempt(cluster())
    },
    TIMEOUT_MS,
  )
})

describe("budgets when a request falls back to a dearer model", () => {
  const cluster = useCluster({ instances: 1, database: "sqlite", defaultTokens: 2_000 }, TIMEOUT_MS)

  // The reservation covers every candidate model: a budget that fits the requested model's worst
  // case but not its fallback's refuses the request rather than overspending on the fallback.
  it(
    "keeps spend within the budget when gpt-4.1 fails over to claude-sonnet-4.5",
    async () => {
      const c = cluster()
      const fallbackRequest = { ...request, max_tokens: 400 }
      const budget = gatewayWorstCase(fallbackRequest).nanoUsd
      const key = await createKey(instance(c, 0), { name: "fallback", budget_usd: usdOf(budget) })
      c.emulator.enqueueFault({ kind: "status", status: 500 }, { model: "gpt-4.1", times: 20 })
      const client = clientOn(instance(c, 0), key.key)

      const { response } = await client.chat.completions
        .create({ ...fallbackRequest, models: ["claude-sonnet-4.5"] } as typeof fallbackRequest)
        .withResponse()
        .catch(() => ({ response: undefined }))
      if (response !== undefined) {
        await waitFor("the hold released", async () => {
          return nanoUsd((await getKey(instance(c, 0), key.id)).reserved_usd) === 0n
        })
      }
      const after = await getKey(instance(c, 0), key.id)
      expect(nanoUsd(after.spent_usd)).toBeLessThanOrEqual(budget)
    },
    TIMEOUT_MS,
  )
})
