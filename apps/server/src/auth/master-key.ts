import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Option, Redacted } from "effect"

/** File under the state directory that holds the SHA-256 of a generated master key. */
export const MASTER_KEY_HASH_FILE = "master-key.sha256"

/** How the master key was obtained; `generated` carries the key so it can be shown once. */
export type MasterKeySource =
  | { readonly _tag: "Env" }
  | { readonly _tag: "Generated"; readonly key: Redacted.Redacted<string>; readonly file: string }
  | { readonly _tag: "Stored"; readonly file: string }

/** The master key as the server holds it: only its hash. */
export interface MasterKey {
  readonly hash: Buffer
  readonly source: MasterKeySource
}

/** SHA-256 of a key: keys are long random strings, so a fast hash is enough to store them. */
export const hashKey = (key: string): Buffer => createHash("sha256").update(key, "utf8").digest()

/** Compares two hashes in constant time (hashes have a fixed length, so nothing leaks by size). */
export const sameHash = (a: Buffer, b: Buffer): boolean =>
  a.length === b.length && timingSafeEqual(a, b)

const generateKey = (): string => `tg-master-${randomBytes(24).toString("base64url")}`

/**
 * Resolves the master key: `TOLLGATE_MASTER_KEY` when set; otherwise the stored hash from an
 * earlier start; otherwise a new key whose hash is stored (the caller prints the key once).
 */
export const resolveMasterKey = (
  fromEnv: Option.Option<Redacted.Redacted<string>>,
  stateDir: string,
): Effect.Effect<MasterKey> =>
  Effect.sync(() => {
    const envKey = Option.filter(fromEnv, (key) => Redacted.value(key) !== "")
    if (Option.isSome(envKey)) {
      return { hash: hashKey(Redacted.value(envKey.value)), source: { _tag: "Env" } as const }
    }

    const file = join(stateDir, MASTER_KEY_HASH_FILE)
    if (existsSync(file)) {
      const hash = Buffer.from(readFileSync(file, "utf8").trim(), "hex")
      if (hash.length === 32) return { hash, source: { _tag: "Stored", file } as const }
    }

    const key = generateKey()
    mkdirSync(stateDir, { recursive: true })
    writeFileSync(file, `${hashKey(key).toString("hex")}\n`, { mode: 0o600 })
    return {
      hash: hashKey(key),
      source: { _tag: "Generated", key: Redacted.make(key), file } as const,
    }
  })
