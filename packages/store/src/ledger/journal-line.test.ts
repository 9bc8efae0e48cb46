import { describe, expect, it } from "vitest"
import { decodeJournal, decodeJournalLine, encodeJournalLine } from "./journal-line.ts"
import { testEntry } from "./test-entries.ts"

describe("journal lines", () => {
  it("round-trips an entry with a cost beyond 2^53", () => {
    const entry = testEntry(1, { costNanoUsd: 2n ** 63n - 1n, ttftMs: null })

    expect(decodeJournalLine(encodeJournalLine(entry))).toEqual(entry)
  })

  it("skips a last line torn by a crash mid-write and keeps the whole ones", () => {
    const whole = encodeJournalLine(testEntry(1)) + encodeJournalLine(testEntry(2))
    const torn = encodeJournalLine(testEntry(3)).slice(0, 40)

    expect(decodeJournal(whole + torn).map((entry) => entry.requestId)).toEqual(["req-1", "req-2"])
  })

  it("rejects a line whose cost is not an integer", () => {
    const line = encodeJournalLine(testEntry(1)).replace(
      /"costNanoUsd":"\d+"/,
      '"costNanoUsd":"1.5"',
    )

    expect(decodeJournalLine(line)).toBeUndefined()
  })
})
