import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { keyInfoJson, parseCreateKeyBody, parseTopUpBody, parseUpdateKeyBody } from "./key-json.ts"

describe("admin key bodies", () => {
  it.effect("reads USD amounts exactly into nano-USD", () =>
    Effect.gen(function* () {
      const input = yield* parseCreateKeyBody({
        name: "team",
        budget_usd: "0.1",
        budget_period: "month",
        credit_usd: 2.5,
        rpm: 60,
        allowed_models: ["gpt-4.1"],
      })

      assert.deepStrictEqual(input, {
        name: "team",
        allowedModels: ["gpt-4.1"],
        budgetNanoUsd: 100_000_000n,
        budgetPeriod: "month",
        creditNanoUsd: 2_500_000_000n,
        rpm: 60,
      })
      assert.strictEqual(yield* parseTopUpBody({ amount_usd: "0.000000001" }), 1n)
    }),
  )

  it.effect("keeps null (remove the limit) apart from absent (keep it) in updates", () =>
    Effect.gen(function* () {
      const patch = yield* parseUpdateKeyBody({ rpm: null, tpm: 100 })

      assert.deepStrictEqual(patch, { rpm: null, tpm: 100 })
    }),
  )

  it.effect("refuses a bad body with a 400 naming the field", () =>
    Effect.gen(function* () {
      const tooPrecise = yield* Effect.flip(
        parseCreateKeyBody({ name: "x", budget_usd: "0.0000000001" }),
      )
      const unknown = yield* Effect.flip(parseUpdateKeyBody({ rmp: 5 }))

      assert.strictEqual(tooPrecise.status, 400)
      assert.strictEqual(tooPrecise.param, "budget_usd")
      assert.strictEqual(unknown.status, 400)
    }),
  )

  it("shows a key with exact USD strings and no secret", () => {
    const json = keyInfoJson({
      id: "0123456789abcdef",
      name: "n",
      budgetNanoUsd: 10_000_000_000n,
      budgetPeriod: "day",
      spentNanoUsd: 1n,
      reservedNanoUsd: 0n,
      periodStart: 0,
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
    })

    assert.strictEqual(json.budget_usd, "10.000000000")
    assert.strictEqual(json.spent_usd, "0.000000001")
    assert.strictEqual(json.created_at, 1_700_000_000)
    assert.notProperty(json, "key")
  })
})
