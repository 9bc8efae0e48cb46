import { assert, describe, it } from "@effect/vitest"
import { parseRetryAfterMs } from "./retry-after.ts"

describe("parseRetryAfterMs", () => {
  it("prefers retry-after-ms, then reads seconds and HTTP dates", () => {
    assert.strictEqual(parseRetryAfterMs({ "retry-after-ms": "250.5", "retry-after": "9" }, 0), 251)
    assert.strictEqual(parseRetryAfterMs({ "retry-after": "2" }, 0), 2_000)
    const now = Date.parse("Wed, 21 Oct 2026 07:28:00 GMT")
    assert.strictEqual(
      parseRetryAfterMs({ "retry-after": "Wed, 21 Oct 2026 07:28:30 GMT" }, now),
      30_000,
    )
  })

  it("ignores absent and unreadable values", () => {
    assert.isUndefined(parseRetryAfterMs({}, 0))
    assert.isUndefined(parseRetryAfterMs({ "retry-after": "soon" }, 0))
    assert.isUndefined(parseRetryAfterMs({ "retry-after": "-1" }, 0))
  })
})
