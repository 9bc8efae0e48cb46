import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { complete } from "./complete.ts"
import { jsonResponse } from "./testing/fake-http-client.ts"
import {
  completionBody,
  gatewayFixture,
  testContext,
  testModel,
} from "./testing/gateway-fixture.ts"

const ask = (model: string) => ({ model, messages: [{ role: "user", content: "hi" }] })

describe("the model name a ledger row carries", () => {
  it.effect("is the catalog's id whatever spelling resolved to it", () => {
    const fx = gatewayFixture([testModel(["a"])], () => jsonResponse(completionBody()))
    return Effect.gen(function* () {
      yield* complete(ask("GPT-4.1"), testContext({ requestId: "r1" }))
      yield* complete(ask("openai/gpt-4.1"), testContext({ requestId: "r2" }))
      assert.deepStrictEqual(
        fx.entries.map((e) => e.model),
        ["gpt-4.1", "gpt-4.1"],
      )
    }).pipe(Effect.provide(fx.layer))
  })

  it.effect("is cut short for an unknown name of any length, and so is the 404's message", () => {
    const fx = gatewayFixture([testModel(["a"])], () => jsonResponse(completionBody()))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(complete(ask("z".repeat(100_000)), testContext()))
      assert.isBelow(error.message.length, 1_000)
      assert.strictEqual(fx.entries[0]?.model.length, 128)
    }).pipe(Effect.provide(fx.layer))
  })
})
