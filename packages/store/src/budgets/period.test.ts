import { assert, describe, it } from "@effect/vitest"
import { periodEnd, periodStart } from "./period.ts"

const at = (iso: string) => Date.parse(iso)

describe("budget periods", () => {
  it("starts a day at UTC midnight and a month on the first, whatever the hour", () => {
    const now = at("2026-12-31T23:59:59.999Z")

    assert.strictEqual(periodStart("day", now), at("2026-12-31T00:00:00Z"))
    assert.strictEqual(periodEnd("day", now), at("2027-01-01T00:00:00Z"))
    assert.strictEqual(periodStart("month", now), at("2026-12-01T00:00:00Z"))
    assert.strictEqual(periodEnd("month", now), at("2027-01-01T00:00:00Z"))
  })

  it("never resets a lifetime budget", () => {
    assert.strictEqual(periodStart("lifetime", at("2030-06-15T12:00:00Z")), 0)
    assert.isUndefined(periodEnd("lifetime", at("2030-06-15T12:00:00Z")))
  })
})
