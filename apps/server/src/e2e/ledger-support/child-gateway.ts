import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url))

/** The gateway as its own process (`node apps/server/src/main.ts`), as operators run it. */
export interface ChildGateway {
  readonly process: ChildProcess
  /** Base URL without `/v1`, read from the `listening` log line. */
  readonly url: string
  /** Everything the process wrote to stderr so far (for failure messages). */
  readonly stderr: () => string
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<string>
}

/**
 * Starts the gateway in `cwd` (its `tollgate.config.json` and `.tollgate/`) with `env` on top
 * of this process's PATH, and resolves once it listens; the config must choose the port
 * (`server.port: 0` picks a free one, which the `listening` line reports).
 */
export const startChildGateway = (
  cwd: string,
  env: Readonly<Record<string, string>>,
  timeoutMs = 15_000,
): Promise<ChildGateway> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], {
      cwd,
      // INIT_CWD wins over the working directory in main.ts (pnpm sets it): point it here too.
      env: { PATH: process.env.PATH ?? "", INIT_CWD: cwd, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    })
    const exited = new Promise<string>((done) =>
      child.once("exit", (code, signal) => done(signal ?? String(code))),
    )
    let stdout = ""
    let stderr = ""
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the gateway did not start in ${timeoutMs} ms: ${stderr}${stdout}`))
    }, timeoutMs)
    child.stderr.on("data", (data: Buffer) => {
      stderr += data.toString()
    })
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString()
      const url = /"msg":"listening","url":"(http:\/\/[^"]+)"/.exec(stdout)?.[1]
      if (url === undefined) return
      clearTimeout(timer)
      // Keep draining stdout so the child never blocks on a full pipe.
      stdout = ""
      child.stdout.removeAllListeners("data")
      child.stdout.resume()
      resolve({ process: child, url, stderr: () => stderr, exited })
    })
    void exited.then((how) => {
      clearTimeout(timer)
      reject(new Error(`the gateway exited (${how}) before listening: ${stderr}${stdout}`))
    })
  })
