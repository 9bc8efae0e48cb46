import { randomBytes } from "node:crypto"
import { Redis } from "ioredis"

/** The Redis the tests use; `TOLLGATE_TEST_REDIS_URL` overrides the local default. */
export const testRedisUrl = process.env.TOLLGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379"

/** A key prefix no other run shares, so that runs (and CI jobs) never see each other's counts. */
export const uniqueTestPrefix = (): string => `tollgate-test:${randomBytes(6).toString("hex")}:`

/**
 * True when the test Redis answers. Outside CI an unreachable Redis skips the suite with a
 * message; with `CI=true` it throws, so CI can never pass by skipping.
 */
export const requireRedis = async (): Promise<boolean> => {
  const redis = new Redis(testRedisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  })
  redis.on("error", () => undefined)
  const reachable = await redis
    .connect()
    .then(() => redis.ping())
    .then(() => true)
    .catch(() => false)
  redis.disconnect()

  if (reachable) return true
  if (process.env.CI === "true") throw new Error(`CI=true but Redis at ${testRedisUrl} is down`)
  console.warn(`[tollgate] skipping Redis tests: ${testRedisUrl} is unreachable`)
  return false
}
