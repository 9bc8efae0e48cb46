import { type ChildProcess, spawn } from "node:child_process"
import { openSync, readFileSync } from "node:fs"

/** A server running in its own process, stopped by `stop`. */
export interface ChildServer {
  readonly name: string
  readonly url: string
  readonly stop: () => Promise<void>
}

/** How to start one server process and how to tell that it is ready. */
export interface ChildSpec {
  readonly name: string
  readonly url: string
  readonly args: ReadonlyArray<string>
  readonly cwd?: string
  readonly env?: Record<string, string>
  /** Answers 2xx once the server can take traffic. */
  readonly readyPath: string
  /** Where the child's stdout and stderr go (its logs); they are never read on the hot path. */
  readonly logFile: string
  readonly readyTimeoutMs?: number
}

const running = new Set<ChildProcess>()

/** Kills every child still running: on exit, the benchmark leaves no server behind. */
export const killAllChildren = (): void => {
  for (const child of running) child.kill("SIGKILL")
  running.clear()
}
process.on("exit", killAllChildren)
// Ctrl-C or a kill skips "exit" handlers: stop the children first, then leave.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAllChildren()
    process.exit(130)
  })
}

/** The last line a failed child wrote: usually the reason it stopped (a config error). */
const lastLogLine = (file: string): string => {
  try {
    const lines = readFileSync(file, "utf8").trim().split("\n")
    return (lines.at(-1) ?? "").slice(0, 300)
  } catch {
    return ""
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

const stopChild = async (child: ChildProcess): Promise<void> => {
  child.kill("SIGTERM")
  const done = await Promise.race([exited(child).then(() => true), sleep(5_000).then(() => false)])
  if (!done) child.kill("SIGKILL")
  await exited(child)
  running.delete(child)
}

/**
 * Starts the server with the Node running the benchmark and polls `readyPath` until it answers
 * (at most `readyTimeoutMs`). Fails with the log file's name if the process exits first.
 */
export const startChild = async (spec: ChildSpec): Promise<ChildServer> => {
  const log = openSync(spec.logFile, "a")
  const child = spawn(process.execPath, [...spec.args], {
    cwd: spec.cwd,
    env: { PATH: process.env.PATH ?? "", ...spec.env },
    stdio: ["ignore", log, log],
  })
  running.add(child)

  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      running.delete(child)
      const why = lastLogLine(spec.logFile)
      throw new Error(`${spec.name} exited with code ${child.exitCode}${why ? `: ${why}` : ""}`)
    }
    const ok = await fetch(`${spec.url}${spec.readyPath}`, { signal: AbortSignal.timeout(1_000) })
      .then((response) => response.ok || response.status < 500)
      .catch(() => false)
    if (ok) return { name: spec.name, url: spec.url, stop: () => stopChild(child) }
    await sleep(200)
  }
  await stopChild(child)
  throw new Error(`${spec.name} was not ready within ${spec.readyTimeoutMs ?? 30_000} ms`)
}
