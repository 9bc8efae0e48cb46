/**
 * Prints one closing line for the whole test run, summed over every package's vitest JSON report,
 * so that CI (and a person) sees the totals without scrolling through each package's output.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"

interface Report {
  readonly numPassedTests: number
  readonly numFailedTests: number
  readonly numPendingTests: number
  readonly numTodoTests: number
}

const root = join(import.meta.dirname, "..")

const packageDirs = ["packages/core", "packages/emulator", "packages/store", "apps/server"]
  .concat(["apps/cli", "apps/sdk", "bench"])
  .map((dir) => join(root, dir))

let passed = 0
let failed = 0
let skipped = 0
const missing: string[] = []
for (const dir of packageDirs) {
  const path = join(dir, ".vitest", "report.json")
  if (!existsSync(path)) {
    missing.push(dir)
    continue
  }
  const report = JSON.parse(readFileSync(path, "utf8")) as Report
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
}

if (missing.length > 0) console.log(`no test report from: ${missing.join(", ")}`)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = failed > 0 || missing.length > 0 ? 1 : 0
