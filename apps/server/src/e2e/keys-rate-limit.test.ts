import { postgresOrSkip } from "@tollgate/store/testing"
import OpenAI from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createKey } from "./keys-support/admin-api.ts"
import { type Cluster, instance, startCluster } from "./keys-support/gateway-cluster.ts"
import {
  deleteRedisKeys,
  redisKeys,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
} from "./keys-support/redis-keys.ts"
import { runConcurrently } from "./keys-support/run-concurrently.ts"

/** Generous: two-core machines run several suites at once. */
const TIMEOUT_MS = 30_000

// Skips with a message when PostgreSQL is down locally; fails in CI.
const hasPostgres = await postgresOrSkip()

const REDIS_PREFIX = uniqueRedisPrefix()
const RPM = 5
const TPM = 1_000_000
const request = {
  model: "gpt-4.1",
  messages: [{ role: "user" as const, content: "Name one colour." }],
  max_tokens: 20,
}

/** The fixed one-minute window (aligned to the UTC minute) a moment falls in. */
const windowOf = (ms: number) => Math.floor(ms / 60_000)

let cluster: Cluster | undefined

const ready = (): Cluster => {
  if (cluster === undefined) throw new Error("PostgreSQL is not reachable")
  return cluster
}

/**
 * 3 x RPM requests at once, alternating between the two instances, with a fresh key. Retried
 * (once) when the burst straddled a minute boundary, where two windows legitimately admit 2 x RPM.
 */
const burstWithinOneWindow = async (c: Cluster) => {
  for (let attempt = 0; attempt < 2; attempt++) {
    const key = await createKey(instance(c, 0), { name: "rpm", rpm: RPM, tpm: TPM })
    // No client retries: a 429 rate_limit_exceeded would be retried after its Retry-After.
    const clients = c.servers.map(
      (server) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key.key, maxRetries: 0 }),
    )
    c.gate.reset()
    const startedAt = Date.now()
    const outcomes = await runConcurrently(3 * RPM, (i) =>
      (clients[i % clients.length] as OpenAI).chat.completions.create(request).withResponse(),
    ).all
    if (windowOf(startedAt) === windowOf(Date.now())) return { key, outcomes }
  }
  throw new Error("two bursts in a row straddled a minute boundary")
}

describe.skipIf(!hasPostgres)("requests per minute on two gateways sharing Redis", () => {
  beforeAll(async () => {
    cluster = await startCluster({
      instances: 2,
      database: "postgres",
      redisUrl: TEST_REDIS_URL,
      redisKeyPrefix: REDIS_PREFIX,
    })
  }, TIMEOUT_MS)
  afterAll(async () => {
    await cluster?.close()
    await deleteRedisKeys(REDIS_PREFIX)
  }, TIMEOUT_MS)

  it(
    "admits exactly the RPM limit in one window and refuses the rest with 429 and headers",
    async () => {
      const c = ready()
      const { key, outcomes } = await burstWithinOneWindow(c)

      // One counter for both instances, under this run's prefix:
      expect(await redisKeys(`${REDIS_PREFIX}rl:${key.id}:`)).toHaveLength(1)

      const admitted = outcomes.flatMap((o) => (o.ok ? [o.value.response.headers] : []))
      const refused = outcomes.flatMap((o) => (o.ok ? [] : [o.error]))
      expect(admitted).toHaveLength(RPM)
      expect(refused).toHaveLength(2 * RPM)
      expect(c.gate.arrived()).toBe(RPM)

      // One shared counter: the admitted requests saw every remaining count from N-1 down to 0.
      const remaining = admitted.map((h) => Number(h.get("x-ratelimit-remaining-requests")))
      expect(remaining.sort((a, b) => a - b)).toEqual([...Array(RPM).keys()])
      for (const headers of admitted) {
        expect(headers.get("x-ratelimit-limit-requests")).toBe(String(RPM))
        expect(headers.get("x-ratelimit-limit-tokens")).toBe(String(TPM))
        expect(Number(headers.get("x-ratelimit-remaining-tokens"))).toBeLessThan(TPM)
        expect(headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(\.\d+)?m?s$/)
        expect(headers.get("x-ratelimit-reset-tokens")).toMatch(/^\d+(\.\d+)?m?s$/)
      }

      for (const error of refused) {
        expect(error.status).toBe(429)
        expect(error.code).toBe("rate_limit_exceeded")
        expect(error.type).toBe("requests")
        const headers = error.headers ?? new Headers()
        const retryAfter = Number(headers.get("retry-after"))
        expect(retryAfter).toBeGreaterThan(0)
        expect(retryAfter).toBeLessThanOrEqual(60)
        expect(Number(headers.get("retry-after-ms"))).toBeGreaterThan(0)
        expect(headers.get("x-ratelimit-limit-requests")).toBe(String(RPM))
        expect(headers.get("x-ratelimit-remaining-requests")).toBe("0")
        expect(headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+(\.\d+)?m?s$/)
        expect(headers.get("x-ratelimit-limit-tokens")).toBe(String(TPM))
        expect(headers.get("x-ratelimit-remaining-tokens")).not.toBeNull()
        expect(headers.get("x-ratelimit-reset-tokens")).toMatch(/^\d+(\.\d+)?m?s$/)
      }
    },
    TIMEOUT_MS,
  )
})
