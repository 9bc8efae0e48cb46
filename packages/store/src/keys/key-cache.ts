import type { KeyRecord } from "./key-info.ts"

/** Longest allowed cache lifetime: revocation must reach every instance within seconds. */
export const MAX_KEY_CACHE_TTL_MS = 5_000

/** Default cache lifetime, the delay docs/KEYS.md promises for revocation on other instances. */
export const DEFAULT_KEY_CACHE_TTL_MS = 3_000

// Bounded so that a flood of well-formed but unknown ids cannot grow memory without end.
const MAX_ENTRIES = 50_000

interface Entry {
  readonly record: KeyRecord | undefined
  readonly expiresAt: number
}

/**
 * Keys read from the database, remembered for a few seconds so that a request costs no query.
 * Unknown ids are remembered too, so that garbage keys do not each cost one.
 */
export interface KeyCache {
  readonly get: (id: string, nowMs: number) => Entry | undefined
  readonly set: (id: string, record: KeyRecord | undefined, nowMs: number) => void
  readonly forget: (id: string) => void
}

/** A cache whose entries live `ttlMs`, capped at `MAX_KEY_CACHE_TTL_MS`. */
export const makeKeyCache = (ttlMs: number): KeyCache => {
  const ttl = Math.min(Math.max(0, ttlMs), MAX_KEY_CACHE_TTL_MS)
  const entries = new Map<string, Entry>()

  return {
    get: (id, nowMs) => {
      const entry = entries.get(id)
      if (entry === undefined || entry.expiresAt > nowMs) return entry

      entries.delete(id)
      return undefined
    },
    set: (id, record, nowMs) => {
      if (ttl === 0) return
      if (entries.size >= MAX_ENTRIES) entries.clear()
      entries.set(id, { record, expiresAt: nowMs + ttl })
    },
    forget: (id) => {
      entries.delete(id)
    },
  }
}
