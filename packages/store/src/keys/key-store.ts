import { type Principal, RequestError } from "@tollgate/core"
import { Clock, Context, Effect, Layer, Redacted } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { DEFAULT_KEY_CACHE_TTL_MS, makeKeyCache } from "./key-cache.ts"
import {
  invalidKey,
  keyIsRevoked,
  keyNotFound,
  missingKey,
  revokedKey,
  storeUnavailable,
} from "./key-errors.ts"
import {
  hashKey,
  keyIdOf,
  keyMatchesHash,
  newKeyId,
  newKeySecret,
  secretsEqual,
} from "./key-format.ts"
import type { CreatedKey, CreateKeyInput, KeyInfo, KeyRecord, KeyUpdate } from "./key-info.ts"
import { KEY_COLUMNS, parseKeyRow, toKeyInfo } from "./key-row.ts"
import { invalidSettings } from "./validate-settings.ts"

/** How the key store behaves; every field is optional. */
export interface KeyStoreOptions {
  /** `TOLLGATE_MASTER_KEY`: authenticates as the master principal (admin, no limits). */
  readonly masterKey?: Redacted.Redacted<string> | undefined
  /**
   * How long an instance trusts a key it read (default 3 s, capped at 5 s): the longest a
   * revocation or rotation made on another instance takes to reach this one.
   */
  readonly cacheTtlMs?: number | undefined
  /** Prepaid credit every new key starts with, in nano-USD, unless `create` says otherwise. */
  readonly newKeyCreditNanoUsd?: bigint | undefined
}

/** The principal of the master key. */
export const MASTER_PRINCIPAL: Principal = { keyId: "master", isMaster: true }

type AdminError = RequestError | SqlError.SqlError

/**
 * Virtual keys: the admin operations behind `/admin/keys` and `tollgate keys`, and the
 * authentication of every request. Secrets exist in clear only in what `create` and `rotate`
 * return; the table holds their SHA-256.
 */
export class KeyStore extends Context.Service<
  KeyStore,
  {
    /** Creates a key; the returned `key` is the only time its secret is shown. */
    readonly create: (input: CreateKeyInput) => Effect.Effect<CreatedKey, AdminError>
    /** Every key, revoked ones included, oldest first. */
    readonly list: Effect.Effect<ReadonlyArray<KeyInfo>, SqlError.SqlError>
    /** One key; 404 `RequestError` when there is none. */
    readonly get: (id: string) => Effect.Effect<KeyInfo, AdminError>
    /** Changes settings; `null` removes a limit. Counters and credit are not touched here. */
    readonly update: (id: string, patch: KeyUpdate) => Effect.Effect<KeyInfo, AdminError>
    /** Revokes a key for good; other instances refuse it within the cache TTL. */
    readonly revoke: (id: string) => Effect.Effect<KeyInfo, AdminError>
    /** Replaces the secret, keeping id, settings and spend; the old secret stops working. */
    readonly rotate: (id: string) => Effect.Effect<CreatedKey, AdminError>
    /** Adds prepaid credit (nano-USD) to a key, starting its balance if it had none. */
    readonly topUp: (id: string, amountNanoUsd: bigint) => Effect.Effect<KeyInfo, AdminError>
    /**
     * The principal for a bearer token (the master key or a virtual key); 401 when it is missing,
     * unknown, wrong or revoked, 503 when the store cannot be read.
     */
    readonly authenticate: (token: string | undefined) => Effect.Effect<Principal, RequestError>
    /** A key by id through the short-lived cache (admission reads its limits here). */
    readonly lookup: (id: string) => Effect.Effect<KeyRecord | undefined, SqlError.SqlError>
  }
>()("tollgate/KeyStore") {}

const principalOf = (record: KeyRecord): Principal => ({
  keyId: record.id,
  isMaster: false,
  ...(record.allowedModels === undefined ? {} : { allowedModels: record.allowedModels }),
  ...(record.defaultMaxTokens === undefined ? {} : { defaultMaxTokens: record.defaultMaxTokens }),
  ...(record.maxTokensCeiling === undefined ? {} : { maxTokensCeiling: record.maxTokensCeiling }),
})

const orNull = <A>(value: A | undefined): A | null => (value === undefined ? null : value)

/** Builds the key store over the current `SqlClient`. */
export const makeKeyStore = (options: KeyStoreOptions = {}) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const cache = makeKeyCache(options.cacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS)
    const master = options.masterKey === undefined ? undefined : Redacted.value(options.masterKey)
    const columns = sql.literal(KEY_COLUMNS)

    const readRow = (rows: ReadonlyArray<unknown>, id: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const row = rows[0]
        if (row === undefined) return yield* keyNotFound(id)
        return parseKeyRow(row, now)
      })

    const fetch = (id: string) =>
      Effect.gen(function* () {
        const rows = yield* sql`SELECT ${columns} FROM api_keys WHERE id = ${id}`
        const now = yield* Clock.currentTimeMillis
        const row = rows[0]
        return row === undefined ? undefined : parseKeyRow(row, now)
      })

    const refresh = (id: string) =>
      Effect.gen(function* () {
        const record = yield* fetch(id)
        cache.set(id, record, yield* Clock.currentTimeMillis)
        return record
      })

    const lookup = (id: string) =>
      Effect.gen(function* () {
        const cached = cache.get(id, yield* Clock.currentTimeMillis)
        return cached === undefined ? yield* refresh(id) : cached.record
      })

    const get = (id: string) =>
      Effect.flatMap(fetch(id), (record) =>
        record === undefined ? Effect.fail(keyNotFound(id)) : Effect.succeed(toKeyInfo(record)),
      )

    const create = (input: CreateKeyInput) =>
      Effect.gen(function* () {
        const credit = input.creditNanoUsd ?? options.newKeyCreditNanoUsd
        const invalid = invalidSettings({ ...input, creditNanoUsd: credit })
        if (invalid !== undefined) return yield* invalid

        const id = newKeyId()
        const key = newKeySecret(id)
        const now = yield* Clock.currentTimeMillis
        const models =
          input.allowedModels === undefined ? null : JSON.stringify(input.allowedModels)
        const rows = yield* sql`INSERT INTO api_keys ${sql.insert({
          id,
          name: input.name.trim(),
          secret_hash: hashKey(key).toString("hex"),
          allowed_models: models,
          default_max_tokens: orNull(input.defaultMaxTokens),
          max_tokens_ceiling: orNull(input.maxTokensCeiling),
          rpm: orNull(input.rpm),
          tpm: orNull(input.tpm),
          budget_nano_usd: orNull(input.budgetNanoUsd),
          budget_period: input.budgetPeriod ?? "lifetime",
          period_start: 0,
          spent_nano_usd: 0n,
          reserved_nano_usd: 0n,
          credit_nano_usd: orNull(credit),
          revoked_at: null,
          created_at: now,
          updated_at: now,
        })} RETURNING ${columns}`
        const record = yield* readRow(rows, id)
        return { key, info: toKeyInfo(record) }
      })

    const update = (id: string, patch: KeyUpdate) =>
      Effect.gen(function* () {
        const current = yield* get(id)
        // An explicit `undefined` means "not given", like an absent field:
        const given = Object.entries(patch).filter(([, value]) => value !== undefined)
        const merged = { ...current, ...(Object.fromEntries(given) as KeyUpdate) }
        const invalid = invalidSettings(merged)
        if (invalid !== undefined) return yield* invalid

        const now = yield* Clock.currentTimeMillis
        const models = merged.allowedModels == null ? null : JSON.stringify(merged.allowedModels)
        const rows = yield* sql`UPDATE api_keys SET ${sql.update({
          name: merged.name.trim(),
          allowed_models: models,
          default_max_tokens: merged.defaultMaxTokens ?? null,
          max_tokens_ceiling: merged.maxTokensCeiling ?? null,
          rpm: merged.rpm ?? null,
          tpm: merged.tpm ?? null,
          budget_nano_usd: merged.budgetNanoUsd ?? null,
          budget_period: merged.budgetPeriod,
          updated_at: now,
        })} WHERE id = ${id} RETURNING ${columns}`
        cache.forget(id)
        return toKeyInfo(yield* readRow(rows, id))
      })

    const revoke = (id: string) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const rows = yield* sql`UPDATE api_keys
          SET revoked_at = COALESCE(revoked_at, ${now}), updated_at = ${now}
          WHERE id = ${id} RETURNING ${columns}`
        cache.forget(id)
        return toKeyInfo(yield* readRow(rows, id))
      })

    const rotate = (id: string) =>
      Effect.gen(function* () {
        const current = yield* get(id)
        if (current.revokedAt !== undefined) return yield* keyIsRevoked(id)

        const key = newKeySecret(id)
        const now = yield* Clock.currentTimeMillis
        const rows = yield* sql`UPDATE api_keys
          SET secret_hash = ${hashKey(key).toString("hex")}, updated_at = ${now}
          WHERE id = ${id} AND revoked_at IS NULL RETURNING ${columns}`
        cache.forget(id)
        return { key, info: toKeyInfo(yield* readRow(rows, id)) }
      })

    const topUp = (id: string, amountNanoUsd: bigint) =>
      Effect.gen(function* () {
        if (amountNanoUsd <= 0n) {
          return yield* new RequestError({
            status: 400,
            message: "A top-up must be a positive amount.",
            type: "invalid_request_error",
            code: null,
            param: "amount",
          })
        }

        const now = yield* Clock.currentTimeMillis
        const rows = yield* sql`UPDATE api_keys
          SET credit_nano_usd = COALESCE(credit_nano_usd, 0) + ${amountNanoUsd}, updated_at = ${now}
          WHERE id = ${id} RETURNING ${columns}`
        cache.forget(id)
        return toKeyInfo(yield* readRow(rows, id))
      })

    const authenticate = (token: string | undefined) =>
      Effect.gen(function* () {
        if (token === undefined || token === "") return yield* missingKey()
        if (master !== undefined && secretsEqual(token, master)) return MASTER_PRINCIPAL

        const id = keyIdOf(token)
        if (id === undefined) return yield* invalidKey(undefined)

        // A cached record whose hash does not match may predate a rotation on another
        // instance: read the row again rather than refuse the new secret for seconds.
        const now = yield* Clock.currentTimeMillis
        const entry = cache.get(id, now)
        if (entry !== undefined && entry.record === undefined) return yield* invalidKey(id)
        const record =
          entry?.record !== undefined && keyMatchesHash(token, entry.record.secretHash)
            ? entry.record
            : yield* Effect.mapError(refresh(id), storeUnavailable)
        if (record === undefined || !keyMatchesHash(token, record.secretHash))
          return yield* invalidKey(id)
        if (record.revokedAt !== undefined) return yield* revokedKey(id)

        return principalOf(record)
      })

    const list = Effect.gen(function* () {
      const rows = yield* sql`SELECT ${columns} FROM api_keys ORDER BY created_at, id`
      const now = yield* Clock.currentTimeMillis
      return rows.map((row) => toKeyInfo(parseKeyRow(row, now)))
    })

    return KeyStore.of({ create, list, get, update, revoke, rotate, topUp, authenticate, lookup })
  })

/** The `KeyStore` over the store's `SqlClient` (see `layerStoreDatabase`). */
export const KeyStoreLive = (options: KeyStoreOptions = {}) =>
  Layer.effect(KeyStore, makeKeyStore(options))
