import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BENCH_MODEL } from "./chat-body.ts"

/** The environment variable Tollgate reads the (fake) upstream key from, as operators do. */
export const UPSTREAM_KEY_ENV = "BENCH_UPSTREAM_KEY"

/** How Tollgate is configured for a run. */
export interface TollgateSetup {
  /** Deployments of the bench model, all at this emulator (`/v1` base URL). */
  readonly upstream: string
  readonly deployments: number
  /** Start a hedge when no first token came within this many ms (issue 6). */
  readonly hedgeAfterMs?: number
}

/**
 * Writes `tollgate.config.json` into a fresh directory (which also holds the SQLite ledger of
 * that run) and returns the directory: the bench model points at the emulator, as an operator
 * would point it at a self-hosted OpenAI-compatible server.
 */
export const writeTollgateConfig = (setup: TollgateSetup): string => {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-bench-"))
  const deployments = Array.from({ length: setup.deployments }, () => ({
    provider: "openai",
    baseUrl: setup.upstream,
    keyEnv: UPSTREAM_KEY_ENV,
  }))
  const config = {
    models: {
      [BENCH_MODEL]: {
        deployments,
        ...(setup.hedgeAfterMs === undefined
          ? {}
          : { resilience: { hedge: { afterMs: setup.hedgeAfterMs } } }),
      },
    },
  }
  writeFileSync(join(dir, "tollgate.config.json"), `${JSON.stringify(config, null, 2)}\n`)
  return dir
}
