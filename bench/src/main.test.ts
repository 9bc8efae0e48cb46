import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url))

// A smoke run of the harness, not a performance test: one second per target, few connections,
// nothing written. It fails when a target can no longer be started or answered.
it("runs every target it can start and prints a row for each, without failures", async () => {
  const args = ["--duration", "1", "--warmup", "0", "--stream", "1", "--connections", "4"]
  const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args, "--targets", "direct,bare,tollgate", "--no-write"],
      { env: { PATH: process.env.PATH ?? "" }, timeout: 110_000 },
      (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code ?? -1), stdout }),
    )
  })

  expect(run.code).toBe(0)
  for (const target of ["direct", "bare proxy", "tollgate"]) {
    const rows = run.stdout.split("\n").filter((line) => line.startsWith(`│ ${target} `))
    expect(rows).toHaveLength(2)
    for (const row of rows) expect(row.trim().endsWith("│      0 │")).toBe(true)
  }
  expect(run.stdout).not.toContain("note:")
}, 120_000)
