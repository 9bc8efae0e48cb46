#!/usr/bin/env node
/**
 * The `tollgate` executable. Failures the user can act on print one line on stderr and exit 1;
 * Effect's CLI prints usage errors with the command's help.
 */
import { runMain } from "@effect/platform-node/NodeRuntime"
import { layer as nodeServices } from "@effect/platform-node/NodeServices"
import { Effect } from "effect"
import { Command } from "effect/cli"
import packageJson from "../package.json" with { type: "json" }
import { tollgate } from "./cli.ts"

Command.run(tollgate, { version: packageJson.version }).pipe(
  Effect.catchTag("CliFailure", (failure) =>
    Effect.sync(() => {
      process.stderr.write(`tollgate: ${failure.message}\n`)
      process.exitCode = 1
    }),
  ),
  Effect.provide(nodeServices),
  runMain,
)
