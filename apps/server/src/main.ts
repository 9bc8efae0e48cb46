/**
 * `pnpm start`: runs the gateway until SIGINT/SIGTERM, configured by `tollgate.config.json` and
 * the environment (see README).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer, Runtime } from "effect"
import { flushStdoutSink } from "./http/json-logger.ts"
import { serverLayer } from "./server.ts"

process.on("exit", flushStdoutSink)

// `pnpm start` at the repository root runs this in apps/server; pnpm keeps the directory it was
// started from in INIT_CWD, and that is where the operator's config and `.tollgate/` belong.
const cwd = process.env.INIT_CWD ?? process.cwd()

serverLayer({ cwd }).pipe(
  Layer.launch,
  // A config mistake is the operator's to fix: say which file and field, without a stack.
  Effect.catchTag("ConfigFileError", (error) =>
    Effect.sync(() => {
      process.stderr.write(`tollgate: ${error.message}\n`)
      process.exitCode = 1
    }),
  ),
  NodeRuntime.runMain({
    // SIGTERM/SIGINT is how an operator stops the gateway: a clean stop, exit code 0.
    teardown: (exit, onExit) =>
      Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
        ? onExit(0)
        : Runtime.defaultTeardown(exit, onExit),
  }),
)
