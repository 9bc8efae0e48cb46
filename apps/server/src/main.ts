/**
 * `pnpm start`: runs the gateway until SIGINT/SIGTERM, configured by `tollgate.config.json` and
 * the environment (see README).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Layer } from "effect"
import { serverLayer } from "./server.ts"

serverLayer().pipe(Layer.launch, NodeRuntime.runMain)
