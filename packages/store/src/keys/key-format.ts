import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/** Every virtual key starts with this, so that leaked keys are easy to recognise and scan for. */
export const KEY_PREFIX = "tg-"

// tg-<16 hex id>-<43 base64url secret>: the secret alone carries 256 random bits.
const KEY_PATTERN = /^tg-([0-9a-f]{16})-([A-Za-z0-9_-]{43})$/

/** A fresh key id: public, printed in lists and logs, and the row's primary key. */
export const newKeyId = (): string => randomBytes(8).toString("hex")

/** The full key for an id with a fresh 256-bit secret. Shown once, never stored. */
export const newKeySecret = (id: string): string =>
  `${KEY_PREFIX}${id}-${randomBytes(32).toString("base64url")}`

/** The id inside a presented key, or undefined when it is not shaped like a Tollgate key. */
export const keyIdOf = (key: string): string | undefined => KEY_PATTERN.exec(key)?.[1]

/**
 * SHA-256 of the whole key. A fast hash is enough here: the secret is 256 random bits, so there
 * is no dictionary to try and brute force is out of reach; slow password hashes (bcrypt, scrypt)
 * exist for low-entropy human passwords and would add milliseconds to every request.
 */
export const hashKey = (key: string): Buffer => createHash("sha256").update(key, "utf8").digest()

/** Compares a presented key with a stored hash in constant time. */
export const keyMatchesHash = (key: string, storedHashHex: string): boolean => {
  const stored = Buffer.from(storedHashHex, "hex")
  const presented = hashKey(key)
  return stored.length === presented.length && timingSafeEqual(stored, presented)
}

/** Compares two secrets (the master key) in constant time, whatever their lengths. */
export const secretsEqual = (a: string, b: string): boolean =>
  timingSafeEqual(hashKey(a), hashKey(b))

/** How a key may appear in messages and logs: prefix and id, never the secret. */
export const displayKey = (id: string): string => `${KEY_PREFIX}${id}-***`
