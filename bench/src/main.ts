/**
 * `pnpm bench`: Tollgate against direct calls, a bare proxy and Portkey, or (`--hedging`) the
 * tail latency with and without hedging. Stops by itself: bounded durations, a hard time limit,
 * every child process killed on the way out.
 */
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { chatBody } from "./chat-body.ts"
import { type ChildServer, killAllChildren } from "./child-server.ts"
import { type LoadOptions, type Measurement, measure, preflight } from "./load.ts"
import { describeMachine } from "./machine.ts"
import { type BenchOptions, parseOptions, type TargetName, USAGE } from "./options.ts"
import { comparisonRows, hedgingRows, markdownTable, terminalTable } from "./report.ts"
import {
  directTarget,
  startBareProxy,
  startEmulatorChild,
  startPortkey,
  startTollgate,
  type Target,
} from "./targets.ts"
import { writeSection } from "./write-section.ts"

const BENCHMARKS_MD = fileURLToPath(new URL("../../BENCHMARKS.md", import.meta.url))
const say = (text: string) => process.stdout.write(`${text}\n`)

/** The command line that reproduces a run, as written into BENCHMARKS.md. */
const commandLine = (argv: ReadonlyArray<string>) =>
  ["pnpm bench", ...argv.filter((a) => a !== "--no-write")].join(" ")

/** Kills everything and exits if a run overstays its computed budget (a stuck server). */
const hardLimit = (seconds: number) =>
  setTimeout(() => {
    process.stderr.write(`bench: still running after ${seconds} s, stopping\n`)
    killAllChildren()
    process.exit(2)
  }, seconds * 1000).unref()

interface Outcome {
  readonly results: Measurement[]
  readonly notes: string[]
}

const runTargets = async (
  targets: ReadonlyArray<Target>,
  body: string,
  load: LoadOptions,
  label: string,
): Promise<Outcome> => {
  const results: Measurement[] = []
  const notes: string[] = []
  for (const target of targets) {
    const problem = await preflight(target, body)
    if (problem !== undefined) {
      notes.push(`${target.name} (${label}): not measured, ${problem}`)
      say(`  ${target.name}: skipped (${problem})`)
      continue
    }
    say(`  ${target.name}: ${load.warmupSeconds} s warm-up, ${load.durationSeconds} s measured`)
    results.push(await measure(target, body, load))
  }
  return { results, notes }
}

const startTargets = async (
  wanted: ReadonlyArray<TargetName>,
  emulator: ChildServer,
  logDir: string,
) => {
  const targets: Target[] = []
  const notes: string[] = []
  const attempt = async (name: string, start: () => Promise<Target>) => {
    try {
      targets.push(await start())
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      notes.push(`${name}: could not be started, ${reason}`)
      say(`  ${name}: could not be started (${reason})`)
    }
  }
  if (wanted.includes("direct")) targets.push(directTarget(emulator))
  if (wanted.includes("bare")) await attempt("bare proxy", () => startBareProxy(emulator, logDir))
  if (wanted.includes("tollgate")) {
    const upstream = `${emulator.url}/v1`
    await attempt("tollgate", () => startTollgate({ upstream, deployments: 1 }, logDir))
  }
  if (wanted.includes("portkey")) await attempt("portkey", () => startPortkey(emulator, logDir))
  for (const target of targets) if (target.note) notes.push(`${target.name}: ${target.note}`)
  return { targets, notes }
}

const mainRun = async (options: BenchOptions, argv: ReadonlyArray<string>) => {
  const machine = describeMachine()
  const logDir = mkdtempSync(join(tmpdir(), "tollgate-bench-logs-"))
  const perTarget = (seconds: number) => (seconds > 0 ? options.warmupSeconds + seconds + 2 : 0)
  hardLimit(
    120 +
      options.targets.length *
        (perTarget(options.durationSeconds) + perTarget(options.streamSeconds)),
  )

  say(`Machine: ${machine}\nServer logs: ${logDir}\nStarting servers...`)
  const emulator = await startEmulatorChild(logDir)
  const started = await startTargets(options.targets, emulator, logDir)
  const load = {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
  }

  say(`Non-streaming chat completions, ${options.connections} connections:`)
  const plain = await runTargets(started.targets, chatBody(false), load, "non-streaming")
  let streamed: Outcome | undefined
  if (options.streamSeconds > 0) {
    say(`Streaming chat completions (SSE, usage chunk), ${options.connections} connections:`)
    const streamLoad = { ...load, durationSeconds: options.streamSeconds }
    streamed = await runTargets(started.targets, chatBody(true), streamLoad, "streaming")
  }
  for (const target of started.targets) if (target.server !== emulator) await target.server.stop()
  await emulator.stop()

  const plainTable = comparisonRows(plain.results)
  say(`\nNon-streaming\n${terminalTable(plainTable)}`)
  const streamTable = streamed === undefined ? undefined : comparisonRows(streamed.results)
  if (streamTable !== undefined) say(`\nStreaming\n${terminalTable(streamTable)}`)
  const notes = [...started.notes, ...plain.notes, ...(streamed?.notes ?? [])]
  for (const note of notes) say(`note: ${note}`)

  if (options.out === undefined) return
  writeSection(
    options.out,
    "main",
    [
      "## Tollgate against direct, a bare proxy and Portkey",
      "",
      `Command: \`${commandLine(argv)}\` (${new Date().toISOString().slice(0, 16)} UTC)`,
      "",
      `Machine: ${machine}.`,
      "",
      `Non-streaming chat completions, ${options.connections} connections, ` +
        `${options.warmupSeconds} s warm-up then ${options.durationSeconds} s per target:`,
      "",
      markdownTable(plainTable),
      ...(streamTable === undefined
        ? []
        : [
            "",
            `Streaming (SSE with the usage chunk), ${options.streamSeconds} s per target:`,
            "",
            markdownTable(streamTable),
          ]),
      ...(notes.length === 0 ? [] : ["", ...notes.map((note) => `- ${note}`)]),
    ].join("\n"),
  )
  say(`\nWrote ${options.out}`)
}

const hedgingRun = async (options: BenchOptions, argv: ReadonlyArray<string>) => {
  const machine = describeMachine()
  const logDir = mkdtempSync(join(tmpdir(), "tollgate-bench-logs-"))
  hardLimit(120 + 3 * (options.warmupSeconds + options.durationSeconds + 4))
  const slow = { probability: 0.1, delayMs: 2000 }
  say(`Machine: ${machine}\nServer logs: ${logDir}\nStarting servers...`)
  const emulator = await startEmulatorChild(logDir, slow)
  const upstream = `${emulator.url}/v1`
  const notes: string[] = []
  const targets: Target[] = [{ ...directTarget(emulator), name: "direct (heavy tail)" }]
  targets.push(await startTollgate({ upstream, deployments: 2 }, logDir, "tollgate, no hedging"))
  try {
    const setup = { upstream, deployments: 2, hedgeAfterMs: options.hedgeAfterMs }
    targets.push(
      await startTollgate(setup, logDir, `tollgate, hedge after ${options.hedgeAfterMs} ms`),
    )
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    notes.push(
      "hedging could not be switched on through `resilience.hedge` in tollgate.config.json " +
        `(${reason}); the hedged row is missing until the config accepts it`,
    )
    say(`  hedged Tollgate: could not be started (${reason})`)
  }

  const load = {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
  }
  say(`Heavy tail (10% of answers 2 s late), ${options.connections} connections:`)
  const run = await runTargets(targets, chatBody(false), load, "hedging")
  for (const target of targets) if (target.server !== emulator) await target.server.stop()
  await emulator.stop()

  const table = hedgingRows(run.results)
  say(`\n${terminalTable(table)}`)
  const allNotes = [...notes, ...run.notes]
  for (const note of allNotes) say(`note: ${note}`)
  if (options.out === undefined) return
  writeSection(
    options.out,
    "hedging",
    [
      "## Hedging against a heavy tail (issue 6)",
      "",
      `Command: \`${commandLine(argv)}\` (${new Date().toISOString().slice(0, 16)} UTC)`,
      "",
      `Machine: ${machine}.`,
      "",
      "One model with two deployments on the same emulator, which answers 10% of requests " +
        `2 s late (seeded). ${options.connections} connections, ${options.durationSeconds} s ` +
        "per row, non-streaming.",
      "",
      markdownTable(table),
      ...(allNotes.length === 0 ? [] : ["", ...allNotes.map((note) => `- ${note}`)]),
    ].join("\n"),
  )
  say(`\nWrote ${options.out}`)
}

const argv = process.argv.slice(2)
try {
  const options = parseOptions(argv, BENCHMARKS_MD)
  if (options === "help") {
    say(USAGE)
  } else {
    await (options.hedging ? hedgingRun(options, argv) : mainRun(options, argv))
  }
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
} finally {
  killAllChildren()
}
