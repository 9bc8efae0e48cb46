import { assert, describe, it } from "@effect/vitest"
import { testDeployment } from "../gateway/testing/gateway-fixture.ts"
import { freshHealth } from "./deployment-health.ts"
import { orderDeployments } from "./order-deployments.ts"

describe("orderDeployments, weighted", () => {
  it("sends traffic in proportion to the weights", () => {
    const heavy = { ...testDeployment("heavy"), weight: 3 }
    const light = { ...testDeployment("light"), weight: 1 }
    let seed = 1
    // A small deterministic generator, so the proportion is checked without flakiness:
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647
      return seed / 2_147_483_647
    }
    let heavyFirst = 0
    for (let i = 0; i < 4_000; i++) {
      const order = orderDeployments([heavy, light], "weighted", freshHealth, 0, random)
      if (order[0]?.id === heavy.id) heavyFirst++
    }
    assert.closeTo(heavyFirst / 4_000, 0.75, 0.03)
  })
})
