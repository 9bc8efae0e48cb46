import Table from "cli-table3"
import type { Measurement } from "./load.ts"

/** A row of a results table, already formatted. */
type Row = ReadonlyArray<string>

const ms = (value: number) => (Number.isNaN(value) ? "-" : value.toFixed(2))
const signed = (value: number) =>
  Number.isNaN(value) ? "-" : `${value >= 0 ? "+" : ""}${value.toFixed(2)}`
const ratio = (value: number) => (Number.isFinite(value) ? `${(value * 100).toFixed(0)}%` : "-")

/** The main table: throughput, latency, what each proxy adds over direct, ratio to the floor. */
export const comparisonRows = (results: ReadonlyArray<Measurement>): { head: Row; rows: Row[] } => {
  const direct = results.find((r) => r.target === "direct")
  const floor = results.find((r) => r.target === "bare proxy")
  const head = [
    "target",
    "rps",
    "p50 ms",
    "p99 ms",
    "added p50 ms",
    "added p99 ms",
    "rps vs bare proxy",
    "failed",
  ]
  const rows = results.map((r) => [
    r.target,
    r.rps.toFixed(0),
    ms(r.p50),
    ms(r.p99),
    direct === undefined || r === direct ? "-" : signed(r.p50 - direct.p50),
    direct === undefined || r === direct ? "-" : signed(r.p99 - direct.p99),
    floor === undefined ? "-" : ratio(r.rps / floor.rps),
    String(r.failures),
  ])
  return { head, rows }
}

/** The hedging table: the same tail with and without a second attempt. */
export const hedgingRows = (results: ReadonlyArray<Measurement>): { head: Row; rows: Row[] } => ({
  head: ["target", "requests", "rps", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "failed"],
  rows: results.map((r) => [
    r.target,
    String(r.requests),
    r.rps.toFixed(0),
    ms(r.p50),
    ms(r.p90),
    ms(r.p95),
    ms(r.p99),
    String(r.failures),
  ]),
})

/** A boxed table for the terminal, numbers aligned right. */
export const terminalTable = (table: { head: Row; rows: Row[] }): string => {
  const out = new Table({
    head: [...table.head],
    colAligns: table.head.map((_, i) => (i === 0 ? "left" : "right")),
    style: { head: [], border: [] },
  })
  for (const row of table.rows) out.push([...row])
  return out.toString()
}

/** The same table in Markdown, for BENCHMARKS.md. */
export const markdownTable = (table: { head: Row; rows: Row[] }): string => {
  const line = (cells: Row) => `| ${cells.join(" | ")} |`
  const rule = table.head.map((_, i) => (i === 0 ? "---" : "---:"))
  return [line(table.head), line(rule), ...table.rows.map(line)].join("\n")
}
