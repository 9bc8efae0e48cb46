import Table from "cli-table3"

/** A column of a table: its heading and whether numbers in it line up on the right. */
export interface Column {
  readonly head: string
  readonly align?: "left" | "right"
}

/**
 * A boxed text table. No colours: the output is read in terminals and in pipes alike, and ANSI
 * codes would end up in files and tests.
 */
export const renderTable = (
  columns: ReadonlyArray<Column>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): string => {
  const table = new Table({
    head: columns.map((c) => c.head),
    colAligns: columns.map((c) => c.align ?? "left"),
    style: { head: [], border: [] },
    // One rule under the heading, none between rows: long lists stay compact.
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  })
  for (const row of rows) table.push([...row])
  return table.toString()
}
