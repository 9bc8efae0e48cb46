import { existsSync, readFileSync, writeFileSync } from "node:fs"

const HEADER = `# Benchmarks

Produced by \`pnpm bench\` (bench/). Each section is rewritten by the command shown in it; the
numbers are from the machine described there and move with its load.
`

/**
 * Replaces one section of BENCHMARKS.md (between its markers), keeping the others, so that
 * the main run and the hedging run can be refreshed independently.
 */
export const writeSection = (file: string, name: string, content: string): void => {
  const start = `<!-- bench:${name}:start -->`
  const end = `<!-- bench:${name}:end -->`
  const block = `${start}\n${content.trim()}\n${end}`
  const current = existsSync(file) ? readFileSync(file, "utf8") : HEADER
  const from = current.indexOf(start)
  const to = current.indexOf(end)
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`
  writeFileSync(file, next)
}
