import { assert, describe, it } from "@effect/vitest"
import { RequestError } from "@tollgate/core"
import { Context, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import type { TestDatabase } from "../sql/testing.ts"
import { DEFAULT_KEY_CACHE_TTL_MS } from "./key-cache.ts"
import { KeyStore, MASTER_PRINCIPAL } from "./key-store.ts"
import { instanceLayer, openTestDatabase, testDialects } from "./test-support.ts"

const dialects = await testDialects()

/** The `RequestError` an operation fails with; anything else (a SQL error) fails the test. */
const errorOf = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E, never>) =>
  Effect.flatMap(Effect.flip(effect), (error) =>
    error instanceof RequestError ? Effect.succeed(error) : Effect.die(error),
  )

describe.each(dialects)("key store on $dialect", ({ dialect, enabled }) => {
  let db: TestDatabase

  beforeAll(async () => {
    if (enabled) db = await openTestDatabase(dialect)
  })

  afterAll(async () => {
    if (enabled) await db.drop()
  })

  const withStore = <A, E>(effect: Effect.Effect<A, E, KeyStore | SqlClient.SqlClient>) =>
    Effect.provide(effect, instanceLayer(db, { keys: { masterKey: Redacted.make("mk-secret") } }))

  it.effect.skipIf(!enabled)("shows the secret once and stores only its hash", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const sql = yield* SqlClient.SqlClient

        const created = yield* keys.create({ name: "team a", rpm: 60 })
        const secret = created.key.slice(created.key.lastIndexOf("-") + 1)
        const keyRows = yield* sql`SELECT * FROM api_keys`
        const holdRows = yield* sql`SELECT * FROM budget_reservations`
        const stored = JSON.stringify([keyRows, holdRows], (_k, v) =>
          typeof v === "bigint" ? String(v) : v,
        )

        assert.match(created.key, new RegExp(`^tg-${created.info.id}-[A-Za-z0-9_-]{43}$`))
        assert.include(stored, created.info.id)
        assert.notInclude(stored, created.key)
        assert.notInclude(stored, secret)
        assert.notProperty(created.info, "secretHash")
      }),
    ),
  )

  it.effect.skipIf(!enabled)("authenticates a key into its principal and refuses others", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const { key, info } = yield* keys.create({
          name: "b",
          allowedModels: ["gpt-4.1"],
          defaultMaxTokens: 256,
          maxTokensCeiling: 1024,
        })
        const wrongSecret = `${key.slice(0, -4)}AAAA`

        const principal = yield* keys.authenticate(key)
        const master = yield* keys.authenticate("mk-secret")
        const wrong = yield* errorOf(keys.authenticate(wrongSecret))
        const garbage = yield* errorOf(keys.authenticate("sk-not-ours"))
        const missing = yield* errorOf(keys.authenticate(undefined))

        assert.deepStrictEqual(principal, {
          keyId: info.id,
          isMaster: false,
          allowedModels: ["gpt-4.1"],
          defaultMaxTokens: 256,
          maxTokensCeiling: 1024,
        })
        assert.deepStrictEqual(master, MASTER_PRINCIPAL)
        assert.strictEqual(wrong.status, 401)
        assert.strictEqual(wrong.code, "invalid_api_key")
        assert.notInclude(wrong.message, wrongSecret.slice(20))
        assert.strictEqual(garbage.status, 401)
        assert.strictEqual(missing.status, 401)
      }),
    ),
  )

  it.effect.skipIf(!enabled)(
    "refuses a revoked key at once here and within the cache TTL on another instance",
    () =>
      Effect.gen(function* () {
        const here = yield* Layer.build(instanceLayer(db))
        const there = yield* Layer.build(instanceLayer(db))
        const keysHere = Context.get(here, KeyStore)
        const keysThere = Context.get(there, KeyStore)
        const { key, info } = yield* keysHere.create({ name: "to revoke" })
        yield* keysThere.authenticate(key)

        yield* keysHere.revoke(info.id)
        const hereError = yield* errorOf(keysHere.authenticate(key))
        yield* TestClock.adjust(DEFAULT_KEY_CACHE_TTL_MS - 1)
        const stillCached = yield* keysThere.authenticate(key)
        yield* TestClock.adjust(1)
        const thereError = yield* errorOf(keysThere.authenticate(key))

        assert.strictEqual(hereError.status, 401)
        assert.include(hereError.message, "revoked")
        assert.strictEqual(stillCached.keyId, info.id)
        assert.strictEqual(thereError.status, 401)
        assert.include(thereError.message, "revoked")
      }),
  )

  it.effect.skipIf(!enabled)(
    "accepts a rotated secret at once on an instance that cached the old",
    () =>
      Effect.gen(function* () {
        const here = Context.get(yield* Layer.build(instanceLayer(db)), KeyStore)
        const there = Context.get(yield* Layer.build(instanceLayer(db)), KeyStore)
        const { key: old, info } = yield* here.create({ name: "rotated elsewhere" })
        yield* there.authenticate(old)

        const rotated = yield* here.rotate(info.id)
        const principal = yield* there.authenticate(rotated.key)
        const oldError = yield* errorOf(there.authenticate(old))

        assert.strictEqual(principal.keyId, info.id)
        assert.strictEqual(oldError.status, 401)
      }),
  )

  it.effect.skipIf(!enabled)("rotates the secret: the old one stops, the new one works", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const { key: old, info } = yield* keys.create({ name: "rotating", budgetNanoUsd: 5n })

        const rotated = yield* keys.rotate(info.id)
        const oldError = yield* errorOf(keys.authenticate(old))
        const principal = yield* keys.authenticate(rotated.key)

        assert.notStrictEqual(rotated.key, old)
        assert.strictEqual(rotated.info.id, info.id)
        assert.strictEqual(rotated.info.budgetNanoUsd, 5n)
        assert.strictEqual(oldError.status, 401)
        assert.strictEqual(principal.keyId, info.id)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("updates and clears settings, and validates them", () =>
    withStore(
      Effect.gen(function* () {
        const keys = yield* KeyStore
        const { info } = yield* keys.create({ name: "c", rpm: 10, budgetNanoUsd: 100n })

        const updated = yield* keys.update(info.id, {
          rpm: null,
          tpm: 5_000,
          budgetPeriod: "month",
          allowedModels: ["a", "b"],
        })
        const invalid = yield* errorOf(
          keys.update(info.id, { defaultMaxTokens: 2_000, maxTokensCeiling: 1_000 }),
        )
        const missing = yield* errorOf(keys.get("0000000000000000"))

        assert.isUndefined(updated.rpm)
        assert.strictEqual(updated.tpm, 5_000)
        assert.strictEqual(updated.budgetNanoUsd, 100n)
        assert.strictEqual(updated.budgetPeriod, "month")
        assert.deepStrictEqual(updated.allowedModels, ["a", "b"])
        assert.strictEqual(invalid.status, 400)
        assert.strictEqual(missing.status, 404)
      }),
    ),
  )

  it.effect.skipIf(!enabled)("grants new keys the configured credit and adds top-ups", () =>
    Effect.gen(function* () {
      const keys = yield* KeyStore
      const granted = yield* keys.create({ name: "granted" })
      const explicit = yield* keys.create({ name: "explicit", creditNanoUsd: 7n })

      const toppedUp = yield* keys.topUp(granted.info.id, 1_000n)
      const listed = yield* keys.list

      assert.strictEqual(granted.info.creditNanoUsd, 500n)
      assert.strictEqual(explicit.info.creditNanoUsd, 7n)
      assert.strictEqual(toppedUp.creditNanoUsd, 1_500n)
      assert.isTrue(listed.some((key) => key.id === granted.info.id))
    }).pipe(Effect.provide(instanceLayer(db, { keys: { newKeyCreditNanoUsd: 500n } }))),
  )
})
