import { postgresOrSkip } from "@tollgate/store/testing"
import OpenAI from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { apiError } from "./e2e-harness.ts"
import { createKey } from "./keys-support/admin-api.ts"
import { type Cluster, instance, startCluster } from "./keys-support/gateway-cluster.ts"
import {
  deleteRedisKeys,
  redisKeys,
  redisOrSkip,
  TEST_REDIS_URL,
  uniqueRedisPrefix,
} from "./keys-support/redis-keys.ts"
import { runConcurrently, waitFor } from "./keys-support/run-concurrently.ts"
import { gatewayWorstCase } from "./keys-support/worst-case-of.ts"

/** Generous: two-core machines run several suites at once. */
const TIMEOUT_MS = 30_000

// Skip with a message when PostgreSQL (or Redis) is down locally; fail in CI.
const hasPostgres = await postgresOrSkip()
const hasRedis = await redisOrSkip()

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
 * `count` requests at once, alternating between the two instances, with a fresh key of
 * `settings`. Upstream calls are held until every request was admitted or refused, so that no
 * settlement (which corrects the token count) lands in between. Retried once when the burst
 * straddled a minute boundary, where two windows legitimately admit twice the limit.
 */
const burstWithinOneWindow = async (
  c: Cluster,
  settings: Readonly<Record<string, unknown>>,
  count: number,
) => {
  for (let attempt = 0; attempt < 2; attempt++) {
    const key = await createKey(instance(c, 0), { name: "limited", ...settings })
    // No client retries: a 429 rate_limit_exceeded would be retried after its Retry-After.
    const clients = c.servers.map(
      (server) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key.key, maxRetries: 0 }),
    )
    c.gate.reset()
    c.gate.hold()
    const startedAt = Date.now()
    const running = runConcurrently(count, (i) =>
      (clients[i % clients.length] as OpenAI).chat.completions.create(request).withResponse(),
    )
    await waitFor("every request admitted or refused", () => {
      return c.gate.held() + running.settled() === count
    })
    const decidedAt = Date.now()
    c.gate.release()
    const outcomes = await running.all
    if (windowOf(startedAt) === windowOf(decidedAt)) return { key, outcomes }
  }
  throw new Error("two bursts in a row straddled a minute boundary")
}

const RESET = /^\d+(\.\d+)?m?s$/

describe.skipIf(!hasPostgres || !hasRedis)("rate limits on two gateways sharing Redis", () => {
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
      const { key, outcomes } = await burstWithinOneWindow(c, { rpm: RPM, tpm: TPM }, 3 * RPM)

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
        expect(headers.get("x-ratelimit-reset-requests")).toMatch(RESET)
        expect(headers.get("x-ratelimit-reset-tokens")).toMatch(RESET)
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
        expect(headers.get("x-ratelimit-reset-requests")).toMatch(RESET)
        expect(headers.get("x-ratelimit-limit-tokens")).toBe(String(TPM))
        expect(headers.get("x-ratelimit-remaining-tokens")).not.toBeNull()
        expect(headers.get("x-ratelimit-reset-tokens")).toMatch(RESET)
      }
    },
    TIMEOUT_MS,
  )
  it(
    "admits exactly the tokens per minute three worst cases fit, on two instances",
    async () => {
      const c = ready()
      const perRequest = gatewayWorstCase(request).tokens
      const limit = 3 * perRequest
      const { outcomes } = await burstWithinOneWindow(c, { tpm: limit }, 8)

      const admitted = outcomes.flatMap((o) => (o.ok ? [o.value.response.headers] : []))
      const refused = outcomes.flatMap((o) => (o.ok ? [] : [o.error]))
      expect(admitted).toHaveLength(3)
      expect(c.gate.arrived()).toBe(3)
      const remaining = admitted.map((h) => Number(h.get("x-ratelimit-remaining-tokens")))
      expect(remaining.sort((a, b) => a - b)).toEqual([0, perRequest, 2 * perRequest])
      for (const error of refused) {
        expect(error.status).toBe(429)
        expect(error.code).toBe("rate_limit_exceeded")
        expect(error.type).toBe("tokens")
        expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0)
        expect(error.headers?.get("x-ratelimit-limit-tokens")).toBe(String(limit))
        expect(error.headers?.get("x-ratelimit-reset-tokens")).toMatch(RESET)
      }
    },
    TIMEOUT_MS,
  )

  it(
    "refuses a request larger than the whole TPM limit as one that waiting cannot help",
    async () => {
      const c = ready()
      const key = await createKey(instance(c, 0), { name: "tiny-tpm", tpm: 10 })
      let attempts = 0
      const client = new OpenAI({
        baseURL: `${instance(c, 1).url}/v1`,
        apiKey: key.key,
        fetch: (input, init) => {
          attempts += 1
          return fetch(input, init)
        },
      })
      c.gate.reset()
      const error = await apiError(client.chat.completions.create(request))
      expect(error.status).toBe(429)
      expect(error.code).toBe("rate_limit_exceeded")
      expect(error.headers?.get("x-should-retry")).toBe("false")
      // The client's default policy would have retried any other 429:
      expect(attempts).toBe(1)
      expect(c.gate.arrived()).toBe(0)
    },
    TIMEOUT_MS,
  )
})
