import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import type { Measurement } from "./load.ts"
import { percentile } from "./percentile.ts"
import { comparisonRows } from "./report.ts"
import { writeSection } from "./write-section.ts"

const result = (target: string, rps: number, p50: number, p99: number): Measurement => ({
  target,
  requests: rps * 10,
  rps,
  p50,
  p90: p99,
  p95: p99,
  p99,
  failures: 0,
})

describe("percentile", () => {
  it("takes the nearest rank, so p99 of 100 samples is the 99th", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
    expect(percentile(sorted, 50)).toBe(50)
    expect(percentile(sorted, 99)).toBe(99)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })
})

describe("comparisonRows", () => {
  it("shows what each proxy adds over direct and its throughput against the bare proxy", () => {
    const table = comparisonRows([
      result("direct", 4000, 1, 3),
      result("bare proxy", 2000, 1.5, 4),
      result("tollgate", 1500, 2.25, 4.5),
    ])
    expect(table.rows[2]).toEqual([
      "tollgate",
      "1500",
      "2.25",
      "4.50",
      "+1.25",
      "+1.50",
      "75%",
      "0",
    ])
    expect(table.rows[0]?.[4]).toBe("-")
  })
})

describe("writeSection", () => {
  it("replaces its own section and keeps the others and the text around them", () => {
    const file = join(mkdtempSync(join(tmpdir(), "bench-md-")), "BENCHMARKS.md")
    writeFileSync(file, "# Benchmarks\n\nhand-written intro\n")
    writeSection(file, "main", "first")
    writeSection(file, "hedging", "tail")
    writeSection(file, "main", "second")

    const text = readFileSync(file, "utf8")
    expect(text).toContain("hand-written intro")
    expect(text).toContain("<!-- bench:main:start -->\nsecond\n<!-- bench:main:end -->")
    expect(text).toContain("tail")
    expect(text).not.toContain("first")
  })
})
