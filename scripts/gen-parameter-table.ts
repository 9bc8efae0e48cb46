import { readFileSync, writeFileSync } from "node:fs"
import { renderParameterTable } from "../packages/core/src/providers/render-parameter-table.ts"

/**
 * Writes docs/PARAMETERS.md from the adapters' parameter maps. With `--check` it writes nothing
 * and exits 1 when the file differs from what it would write (a test in packages/core does too).
 */
const target = new URL("../docs/PARAMETERS.md", import.meta.url)
const text = renderParameterTable()

if (process.argv.includes("--check")) {
  let current = ""
  try {
    current = readFileSync(target, "utf8")
  } catch {
    current = ""
  }
  if (current !== text) {
    console.error("docs/PARAMETERS.md is out of date: run node scripts/gen-parameter-table.ts")
    process.exit(1)
  }
} else {
  writeFileSync(target, text)
  console.log("wrote docs/PARAMETERS.md")
}
