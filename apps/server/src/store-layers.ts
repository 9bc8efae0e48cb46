import { admissionAllowAll, ledgerNoop } from "@tollgate/core"
import {
  KeyStore,
  keyIdOf,
  layerAdmissionStore,
  layerSqlLedger,
  layerStoreDatabase,
} from "@tollgate/store"
import { Effect, Layer, Redacted } from "effect"
import type { VirtualKeyLookup } from "./auth/authenticate.ts"
import type { Startup } from "./startup.ts"

/** Virtual keys of the store: only tokens shaped like one (`tg-<id>-<secret>`) are looked up. */
export const lookupFromStore = Effect.gen(function* () {
  const keys = yield* KeyStore
  const lookup: VirtualKeyLookup = (token) =>
    keyIdOf(token) === undefined ? Effect.succeed(undefined) : keys.authenticate(token)
  return lookup
})

/**
 * The ledger, admission (keys, budgets, rate limits) and the virtual-key lookup, over SQLite in
 * `.tollgate/` by default, PostgreSQL for `TOLLGATE_DATABASE_URL=postgres://...`, and Redis
 * rate-limit counters when `TOLLGATE_REDIS_URL` is set.
 */
export const storeLayers = (started: Startup) => {
  const database = layerStoreDatabase({
    url: started.databaseUrl === undefined ? undefined : Redacted.value(started.databaseUrl),
    dataDir: started.stateDir,
  })
  const admission = layerAdmissionStore({
    redisUrl: started.redisUrl,
    redisKeyPrefix: started.redisKeyPrefix,
  })
  return Layer.mergeAll(layerSqlLedger(), admission).pipe(Layer.provideMerge(database))
}

/** Without a store (`store: false`): no ledger, no limits, the master key only. */
export const noStoreLayers = Layer.mergeAll(ledgerNoop, admissionAllowAll)
