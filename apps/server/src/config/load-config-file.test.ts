import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Result } from "effect"
import { describe, expect, it } from "vitest"
import { loadConfigFile } from "./load-config-file.ts"

const writeConfig = (content: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "tollgate-config-")), "tollgate.config.json")
  writeFileSync(path, content)
  return path
}

const failureOf = (path: string, options?: { required: boolean }): string => {
  const result = Effect.runSync(Effect.result(loadConfigFile(path, options)))
  if (Result.isSuccess(result)) throw new Error("expected the config to be refused")
  return result.failure.message
}

describe("loadConfigFile", () => {
  it("names the file and the path of a field with the wrong type", () => {
    const path = writeConfig(
      JSON.stringify({
        models: {
          "gpt-4.1": { deployments: [{ provider: "openai", weight: "heavy" }] },
        },
      }),
    )
    expect(failureOf(path)).toBe(`${path}: models.gpt-4.1.deployments[0].weight: expected number`)
  })

  it("refuses unknown keys, which are usually typos", () => {
    const path = writeConfig(JSON.stringify({ server: { prot: 8080 } }))
    expect(failureOf(path)).toContain("server: unknown key prot")
  })

  it("refuses a file that is not JSON, naming the file", () => {
    const path = writeConfig("{ server: ")
    expect(failureOf(path)).toMatch(new RegExp(`^${path}: invalid JSON`))
  })

  it("treats a missing default file as an empty config", () => {
    const config = Effect.runSync(loadConfigFile(join(tmpdir(), "no-such-dir", "x.json")))
    expect(config).toEqual({})
  })

  it("refuses a missing file the operator named, so a typo never starts on defaults", () => {
    const path = join(tmpdir(), "no-such-dir", "named.json")
    expect(failureOf(path, { required: true })).toBe(`${path}: no such file`)
  })

  it("reads server settings and converts prices through the core's schema", () => {
    const path = writeConfig(
      JSON.stringify({
        server: { port: 9000, bodyLimit: 1024 },
        prices: { "my-model": { input: "0.5", output: 2 } },
      }),
    )
    const config = Effect.runSync(loadConfigFile(path))
    expect(config.server).toEqual({ port: 9000, bodyLimit: 1024 })
    expect(config.prices?.["my-model"]?.input).toBe(500_000)
  })
})
