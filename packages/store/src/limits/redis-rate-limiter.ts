import { createHash } from "node:crypto"
import { Clock, Effect, Layer, Redacted } from "effect"
import { Redis } from "ioredis"
import { RateLimiter, RateLimiterUnavailable } from "./rate-limiter.ts"
import { ACQUIRE_SCRIPT, ADJUST_SCRIPT } from "./redis-scripts.ts"
import { WINDOW_MS, windowResetMs, windowStart } from "./window.ts"

/** Where the shared counters live. */
export interface RedisRateLimiterOptions {
  /** `redis://host:port/db`, e.g. from `TOLLGATE_REDIS_URL`. */
  readonly url: Redacted.Redacted<string> | string
  /** Prepended to every Redis key, so that several deployments (or test runs) can share one. */
  readonly keyPrefix?: string
  /** How long a command may take before the limiter reports itself unavailable. */
  readonly commandTimeoutMs?: number
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex")

const unavailable = (cause: unknown) =>
  new RateLimiterUnavailable({ message: `Redis rate limiter: ${String(cause)}`, cause })

/** Runs a script by its hash, loading it once when Redis does not know it yet. */
const runScript = (redis: Redis, script: string, key: string, args: ReadonlyArray<number>) => {
  const hash = sha1(script)
  return Effect.tryPromise({
    try: async () => {
      try {
        return await redis.evalsha(hash, 1, key, ...args)
      } catch (error) {
        if (!String(error).includes("NOSCRIPT")) throw error
        return await redis.eval(script, 1, key, ...args)
      }
    },
    catch: unavailable,
  })
}

const parseReply = (reply: unknown) => {
  if (!Array.isArray(reply) || reply.length !== 4 || !reply.every(Number.isInteger))
    return undefined
  const [allowed, requests, tokens, limitedBy] = reply as [number, number, number, number]
  return { allowed: allowed === 1, requests, tokens, limitedBy }
}

/** The Redis limiter over an open client; the caller owns the connection. */
export const makeRedisRateLimiter = (redis: Redis, keyPrefix = "tollgate:") => {
  const counterKey = (keyId: string, start: number) => `${keyPrefix}rl:${keyId}:${start}`

  return RateLimiter.of({
    acquire: (keyId, limits, tokens) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const start = windowStart(now)
        const args = [limits.rpm ?? -1, limits.tpm ?? -1, tokens, WINDOW_MS * 2]
        const reply = parseReply(
          yield* runScript(redis, ACQUIRE_SCRIPT, counterKey(keyId, start), args),
        )
        if (reply === undefined) return yield* unavailable("unexpected script reply")

        const limitedBy =
          reply.limitedBy === 1 ? "requests" : reply.limitedBy === 2 ? "tokens" : undefined
        return {
          allowed: reply.allowed,
          ...(limitedBy === undefined ? {} : { limitedBy }),
          windowStartMs: start,
          resetMs: windowResetMs(start, now),
          requests: reply.requests,
          tokens: reply.tokens,
        } as const
      }),

    adjust: (keyId, windowStartMs, delta) =>
      Effect.asVoid(
        runScript(redis, ADJUST_SCRIPT, counterKey(keyId, windowStartMs), [
          delta.requests,
          delta.tokens,
        ]),
      ),
  })
}

/**
 * Connects to Redis and waits until it is ready, so that a wrong URL fails at startup rather
 * than on the first request.
 */
export const connectRedis = (options: RedisRateLimiterOptions) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const url = Redacted.isRedacted(options.url) ? Redacted.value(options.url) : options.url
        const redis = new Redis(url, {
          lazyConnect: true,
          // A down Redis must not queue requests behind it: fail fast instead.
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          commandTimeout: options.commandTimeoutMs ?? 1_000,
        })
        // Failures surface on the commands; without a listener ioredis prints every retry.
        redis.on("error", () => undefined)
        try {
          await redis.connect()
        } catch (error) {
          redis.disconnect()
          throw error
        }
        return redis
      },
      catch: unavailable,
    }),
    (redis) => Effect.promise(() => redis.quit().catch(() => "closed")),
  )

/** The shared `RateLimiter` in Redis, for several gateway instances. */
export const RedisRateLimiterLive = (options: RedisRateLimiterOptions) =>
  Layer.effect(
    RateLimiter,
    Effect.map(connectRedis(options), (redis) => makeRedisRateLimiter(redis, options.keyPrefix)),
  )
