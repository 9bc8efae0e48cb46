import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"
import { anthropicAdapter } from "./anthropic/index.ts"
import { geminiAdapter } from "./gemini/index.ts"
import { openaiAdapter } from "./openai/index.ts"
import { parameterMaps } from "./parameter-maps.ts"
import { renderParameterTable } from "./render-parameter-table.ts"

const docPath = fileURLToPath(new URL("../../../../docs/PARAMETERS.md", import.meta.url))

describe("parameter table", () => {
  it("docs/PARAMETERS.md is what scripts/gen-parameter-table.ts writes", () => {
    const written = readFileSync(docPath, "utf8")
    assert.strictEqual(
      written,
      renderParameterTable(),
      "docs/PARAMETERS.md is stale: run `node scripts/gen-parameter-table.ts`",
    )
  })

  it("lists each adapter once, with the very map the adapter uses", () => {
    const adapters = [openaiAdapter, geminiAdapter, anthropicAdapter]
    assert.deepStrictEqual(
      parameterMaps.map((entry) => entry.api),
      adapters.map((adapter) => adapter.api),
    )
    for (const [index, adapter] of adapters.entries())
      assert.strictEqual(parameterMaps[index]?.parameters, adapter.parameters)
  })

  it("renders a pipe inside a note without breaking the table row", () => {
    const text = renderParameterTable([
      {
        api: "anthropic",
        title: "Test",
        parameters: { stop: { support: "ignored", note: "a | b" } },
      },
    ])
    assert.include(text, "| `stop` | ignored |  | a \\| b |")
    assert.include(text, "| `stop` | ignored |\n")
  })
})
