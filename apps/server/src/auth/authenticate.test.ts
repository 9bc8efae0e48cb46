import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Option, Redacted, Result } from "effect"
import { describe, expect, it } from "vitest"
import { authenticate } from "./authenticate.ts"
import { hashKey, MASTER_KEY_HASH_FILE, resolveMasterKey } from "./master-key.ts"

const master = Effect.runSync(
  resolveMasterKey(Option.some(Redacted.make("tg-master-secret")), "/nonexistent"),
)

const refusal = (header: string | undefined): string => {
  const result = Effect.runSync(Effect.result(authenticate(header, master)))
  if (Result.isSuccess(result)) throw new Error("expected a refusal")
  expect(result.failure.status).toBe(401)
  return result.failure.message
}

describe("authenticate", () => {
  it("accepts the master key as a bearer token", () => {
    const principal = Effect.runSync(authenticate("Bearer tg-master-secret", master))
    expect(principal).toEqual({ keyId: "master", isMaster: true })
  })

  it.each([
    ["sk-ant-api03-xyz", "Anthropic"],
    ["sk-proj-abc", "OpenAI"],
    ["sk-abc", "OpenAI"],
    ["AIzaSyD-abc", "Google"],
  ])("tells the user that %s is a provider key", (key, provider) => {
    const message = refusal(`Bearer ${key}`)
    expect(message).toContain(provider)
    expect(message).toContain("this is a provider key; use your Tollgate key")
    expect(message).not.toContain(key)
  })

  it("refuses a missing or malformed header without a provider hint", () => {
    expect(refusal(undefined)).toContain("Missing API key")
    expect(refusal("Basic abc")).toContain("Malformed Authorization header")
    expect(refusal("Bearer wrong")).not.toContain("provider key")
  })

  it("consults the virtual-key lookup for keys other than the master key", () => {
    const lookup = (token: string) =>
      Effect.succeed(token === "tg-virtual" ? { keyId: "k1", isMaster: false } : undefined)
    const principal = Effect.runSync(authenticate("Bearer tg-virtual", master, lookup))
    expect(principal.keyId).toBe("k1")
  })
})

describe("resolveMasterKey", () => {
  it("generates a key once, stores only its hash, and finds the hash on the next start", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tollgate-key-")), ".tollgate")
    const first = Effect.runSync(resolveMasterKey(Option.none(), dir))
    if (first.source._tag !== "Generated") throw new Error("expected a generated key")
    const key = Redacted.value(first.source.key)

    const stored = readFileSync(join(dir, MASTER_KEY_HASH_FILE), "utf8")
    expect(stored).not.toContain(key)
    expect(stored.trim()).toBe(hashKey(key).toString("hex"))

    const second = Effect.runSync(resolveMasterKey(Option.none(), dir))
    expect(second.source._tag).toBe("Stored")
    expect(second.hash.equals(first.hash)).toBe(true)
  })

  it("prefers TOLLGATE_MASTER_KEY and writes nothing", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "tollgate-key-")), ".tollgate")
    const key = Effect.runSync(resolveMasterKey(Option.some(Redacted.make("from-env")), dir))
    expect(key.source._tag).toBe("Env")
    expect(() => readFileSync(join(dir, MASTER_KEY_HASH_FILE))).toThrow()
  })
})
