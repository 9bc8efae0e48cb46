/**
 * `pnpm start`: runs the gateway until SIGINT/SIGTERM, configured by `tollgate.config.json` and
 * the environment (see README).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { flushStdoutSink } from "./http/json-logger.ts"
import { serverLayer } from "./server.ts"

process.on("exit", flushStdoutSink)

serverLayer().pipe(
  Layer.launch,
  // A config mistake is the operator's to fix: say which file and field, without a stack.
  Effect.catchTag("ConfigFileError", (error) =>
    Effect.sync(() => {
      process.stderr.write(`tollgate: ${error.message}\n`)
      process.exitCode = 1
    }),
  ),
  NodeRuntime.runMain,
)
