import { Effect, Layer, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { cliFailure } from "../cli-failure.ts"

/**
 * Runs the gateway in this process until SIGINT/SIGTERM: the same layer as `pnpm start`, so the
 * same `tollgate.config.json`, environment and logs; flags override the configured address.
 */
export const runServe = (options: {
  readonly port: Option.Option<number>
  readonly host: Option.Option<string>
  readonly config: Option.Option<string>
}) =>
  Effect.gen(function* () {
    // Loaded here, not at the top: the other commands start faster without the server's modules.
    const { flushStdoutSink, serverLayer } = yield* Effect.promise(() => import("@tollgate/server"))
    // Log lines are batched per turn of the event loop; the last batch must not be lost at exit.
    process.once("exit", flushStdoutSink)
    yield* serverLayer({
      ...Option.match(options.port, { onNone: () => ({}), onSome: (port) => ({ port }) }),
      ...Option.match(options.host, { onNone: () => ({}), onSome: (host) => ({ host }) }),
      ...Option.match(options.config, {
        onNone: () => ({}),
        onSome: (configPath) => ({ configPath }),
      }),
    }).pipe(Layer.launch)
  }).pipe(
    // A config mistake is the operator's to fix: say which file and field, without a stack.
    Effect.catchTag("ConfigFileError", (error) => Effect.fail(cliFailure(error.message))),
  )

/** `tollgate serve`. */
export const serveCommand = Command.make(
  "serve",
  {
    port: Flag.Int("port").pipe(
      Flag.withAlias("p"),
      Flag.withDescription("Port (default: config server.port, env PORT, 8080; 0 = any free)"),
      Flag.optional,
    ),
    host: Flag.String("host").pipe(
      Flag.withDescription("Address to bind (default: config server.host, env HOST, 127.0.0.1)"),
      Flag.optional,
    ),
    config: Flag.String("config").pipe(
      Flag.withDescription("Config file (default: env TOLLGATE_CONFIG, ./tollgate.config.json)"),
      Flag.optional,
    ),
  },
  runServe,
).pipe(
  Command.withDescription(
    "Start the gateway, configured by tollgate.config.json and the environment (provider " +
      "keys, TOLLGATE_MASTER_KEY, TOLLGATE_DATABASE_URL, TOLLGATE_REDIS_URL). Without provider " +
      "keys the default models are served by the built-in emulator. Stops on Ctrl-C.",
  ),
  Command.withShortDescription("Start the gateway"),
)
