import { Layer, type Redacted } from "effect"
import { BudgetsLive, type BudgetsOptions } from "../budgets/budget-store.ts"
import { KeyStoreLive, type KeyStoreOptions } from "../keys/key-store.ts"
import { MemoryRateLimiterLive } from "../limits/memory-rate-limiter.ts"
import { RedisRateLimiterLive } from "../limits/redis-rate-limiter.ts"
import { AdmissionLive, type AdmissionOptions } from "./admission-live.ts"

/** Everything keys, budgets and limits need, as the server reads it from its environment. */
export interface AdmissionStoreOptions extends KeyStoreOptions, BudgetsOptions, AdmissionOptions {
  /** `TOLLGATE_REDIS_URL`: shared rate-limit counters; in-process counters when absent. */
  readonly redisUrl?: Redacted.Redacted<string> | string | undefined
  /** Prefix of every Redis key (default `tollgate:`). */
  readonly redisKeyPrefix?: string | undefined
}

/**
 * `Admission`, `KeyStore`, `Budgets` and `RateLimiter` over the store's `SqlClient` (provide
 * `layerStoreDatabase`). Fails to build when a Redis URL is given but Redis does not answer.
 */
export const layerAdmissionStore = (options: AdmissionStoreOptions = {}) => {
  const limiter =
    options.redisUrl === undefined || options.redisUrl === ""
      ? MemoryRateLimiterLive
      : RedisRateLimiterLive({
          url: options.redisUrl,
          ...(options.redisKeyPrefix === undefined ? {} : { keyPrefix: options.redisKeyPrefix }),
        })

  return AdmissionLive(options).pipe(
    Layer.provideMerge(Layer.mergeAll(KeyStoreLive(options), BudgetsLive(options), limiter)),
  )
}
