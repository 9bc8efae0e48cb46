import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { RequestError } from "../errors/request-error.ts"
import { catalogFromConfig } from "./catalog-from-config.ts"
import { defaultCatalog } from "./default-catalog.ts"
import { findModel, resolveModel } from "./resolve-model.ts"

const catalog = defaultCatalog({
  emulatorUrl: "http://127.0.0.1:9100",
  keys: { openai: "sk-real" },
})

describe("defaultCatalog", () => {
  it("serves a model with a key from its provider and the rest from the emulator", () => {
    const gpt = catalog.models.get("gpt-4.1")?.deployments[0]
    assert.strictEqual(gpt?.baseUrl, "https://api.openai.com/v1")
    assert.isFalse(gpt?.emulated)
    const gemini = catalog.models.get("gemini-2.5-flash")?.deployments[0]
    assert.strictEqual(gemini?.baseUrl, "http://127.0.0.1:9100/v1beta")
    assert.strictEqual(gemini?.api, "gemini")
    assert.isTrue(gemini?.emulated)
    assert.isUndefined(gemini?.apiKey)
  })

  it("gives each family its thinking range", () => {
    assert.deepStrictEqual(catalog.models.get("gemini-2.5-flash")?.thinking, {
      kind: "budget",
      min: 0,
      max: 24_576,
    })
    assert.strictEqual(catalog.models.get("gemini-3.1-flash")?.thinking.kind, "level")
    assert.strictEqual(catalog.models.get("gpt-4.1")?.thinking.kind, "none")
  })
})

describe("resolveModel", () => {
  it("resolves an unambiguous provider-prefixed id", () => {
    assert.strictEqual(findModel(catalog, "google/gemini-3.1-flash")?.id, "gemini-3.1-flash")
    assert.isUndefined(findModel(catalog, "anthropic/gemini-3.1-flash"))
  })

  it.effect("answers an unknown id with a 404 suggesting the closest ids", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(resolveModel(catalog, "gemini-3.1-flsh"))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      const failure = error?._tag === "Fail" ? error.error : undefined
      assert.instanceOf(failure, RequestError)
      assert.strictEqual(failure?.status, 404)
      assert.strictEqual(failure?.code, "model_not_found")
      assert.include(failure?.message ?? "", "gemini-3.1-flash")
    }),
  )
})

describe("catalogFromConfig", () => {
  it("adds weighted deployments and fallbacks to a default model", () => {
    const built = catalogFromConfig(
      {
        models: [
          {
            id: "gpt-4.1",
            deployments: [
              { provider: "openai", apiKey: "sk-a", weight: 3 },
              { provider: "azure", baseUrl: "https://azure.test/v1", apiKey: "k", weight: 1 },
            ],
            fallbacks: ["deepseek-v3.2"],
            resilience: { maxRetries: 5 },
          },
        ],
        resilience: { deadlineMs: 30_000 },
      },
      { emulatorUrl: "http://emu" },
    )
    const gpt = built.models.get("gpt-4.1")
    assert.deepStrictEqual(
      gpt?.deployments.map((d) => [d.id, d.weight, d.baseUrl]),
      [
        ["gpt-4.1@openai", 3, "https://api.openai.com/v1"],
        ["gpt-4.1@azure-2", 1, "https://azure.test/v1"],
      ],
    )
    assert.strictEqual(gpt?.contextWindow, 1_047_576)
    assert.strictEqual(gpt?.resilience.maxRetries, 5)
    assert.strictEqual(gpt?.resilience.deadlineMs, 30_000)
    assert.deepStrictEqual(gpt?.fallbacks, ["deepseek-v3.2"])
    assert.strictEqual(built.models.get("gemini-2.5-pro")?.resilience.deadlineMs, 30_000)
  })
})
