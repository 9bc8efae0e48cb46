import { createServer } from "node:http"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { GatewayConfig, Router } from "@tollgate/core"
import { Cause, ConfigProvider, Context, Effect, Exit, Layer, Redacted, Scope } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import type { VirtualKeyLookup } from "./auth/authenticate.ts"
import { jsonLoggerLayer, type LogSink, stdoutSink } from "./http/json-logger.ts"
import { adminKeyRoutes } from "./routes/admin-keys.ts"
import { chatCompletionsRoute } from "./routes/chat-completions.ts"
import { healthRoute } from "./routes/health.ts"
import { modelRoutes, ownedBy } from "./routes/models.ts"
import { unknownRoute } from "./routes/unknown-route.ts"
import { usageRoute } from "./routes/usage.ts"
import { ServerContext } from "./server-context.ts"
import { type ServerOptions, type Startup, startup } from "./startup.ts"
import { lookupFromStore, noStoreLayers, storeLayers } from "./store-layers.ts"

/** Options of `makeServer`: where to listen, where config lives, where output goes. */
export interface MakeServerOptions extends ServerOptions {
  /** Environment to read (provider keys, `TOLLGATE_*`, `PORT`). Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Where JSON log lines go; `false` drops them. Default: stdout. */
  readonly log?: LogSink | false
  /** Where the one-time master-key notice is printed. Default: stdout. */
  readonly print?: (text: string) => void
  /**
   * `false` runs without the store: no ledger, no virtual keys, budgets or rate limits (quick
   * experiments, benchmarks of the bare path). Default: the store, SQLite in `.tollgate/`.
   */
  readonly store?: boolean
  /** On close, how long open requests may finish before their connections are cut (ms). */
  readonly shutdownGraceMs?: number
}

/** Default time open requests get to finish on shutdown. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000

const coreRoutes = Layer.mergeAll(chatCompletionsRoute, modelRoutes, healthRoute, unknownRoute)

/** With the store: usage reports and the key admin API as well. */
const storeRoutes = Layer.mergeAll(coreRoutes, usageRoute, adminKeyRoutes)

const serveRoutes = <E, R>(routes: Layer.Layer<never, E, R>) =>
  HttpRouter.serve(routes, { disableLogger: true, disableListenLog: true })

const announce = (started: Startup, print: (text: string) => void) =>
  Effect.gen(function* () {
    const server = yield* HttpServer.HttpServer
    const url = HttpServer.formatAddress(server.address).replace(/\/$/, "")
    const source = started.masterKey.source
    if (source._tag === "Generated") {
      // Printed, not logged: the one time the key is shown, never in a log line.
      print(
        `Tollgate master key (shown once, only its hash is stored in ${source.file}):\n` +
          `  ${Redacted.value(source.key)}\n` +
          `Use it as the API key of your OpenAI client, base URL ${url}/v1\n`,
      )
    } else if (source._tag === "Stored") {
      yield* Effect.logInfo(
        `master key exists (hash in ${source.file}); to reset it, delete that file and ` +
          "restart, or set TOLLGATE_MASTER_KEY",
      )
    }
    const all = [...started.catalog.models.values()]
    const emulated = all.filter((m) => ownedBy(m).endsWith("(emulated)")).map((m) => m.id)
    const emulatorNote =
      `${emulated.join(", ")} answered by the built-in emulator at ${started.emulatorUrl} ` +
      "(no provider key set for them): not real model output"
    yield* Effect.logInfo("listening").pipe(
      Effect.annotateLogs({
        url,
        models: all.map((m) => `${m.id}: ${ownedBy(m)}`).join(", "),
        ...(emulated.length === 0 ? {} : { emulated: emulatorNote }),
      }),
    )
  })

/**
 * The whole gateway as a Layer: reads configuration, starts the emulator when no provider key
 * is set, and serves the routes on Node's HTTP server. Provides `HttpServer` (for its address).
 */
export const serverLayer = (options: MakeServerOptions = {}) =>
  Layer.unwrap(
    Effect.gen(function* () {
      const started = yield* startup(options)
      const nodeServer = createServer()
      const context = (lookupVirtualKey?: VirtualKeyLookup) =>
        ServerContext.of({
          masterKey: started.masterKey,
          bodyLimit: started.bodyLimit,
          startedAt: Math.floor(Date.now() / 1000),
          currency: started.currency,
          ...(lookupVirtualKey === undefined ? {} : { lookupVirtualKey }),
        })
      const shared = Layer.mergeAll(
        Layer.succeed(GatewayConfig)({ catalog: started.catalog, prices: started.prices }),
        NodeHttpClient.layerUndici,
        Router.layer,
      )
      const app =
        options.store === false
          ? serveRoutes(coreRoutes).pipe(
              Layer.provide(Layer.succeed(ServerContext)(context())),
              Layer.provide(Layer.mergeAll(shared, noStoreLayers)),
            )
          : serveRoutes(storeRoutes).pipe(
              Layer.provide(Layer.effect(ServerContext, Effect.map(lookupFromStore, context))),
              Layer.provide(Layer.mergeAll(shared, storeLayers(started))),
            )
      const listening = app.pipe(
        Layer.provideMerge(
          NodeHttpServer.layer(() => nodeServer, { port: started.port, host: started.host }),
        ),
      )
      const print = options.print ?? ((text: string) => process.stdout.write(text))
      // Runs before the HTTP server's own finalizer, which waits for every open connection:
      // a stalled request must not hold shutdown forever.
      const boundedShutdown = Effect.addFinalizer(() =>
        Effect.sync(() => {
          const grace = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS
          setTimeout(() => nodeServer.closeAllConnections(), grace).unref()
        }),
      )
      return Layer.effectDiscard(Effect.andThen(boundedShutdown, announce(started, print))).pipe(
        Layer.provideMerge(listening),
      )
    }),
  ).pipe(
    Layer.provide(jsonLoggerLayer(options.log === false ? () => {} : (options.log ?? stdoutSink))),
    Layer.provide(
      ConfigProvider.layer(
        ConfigProvider.fromEnv({ env: definedOnly(options.env ?? process.env) }),
      ),
    ),
  )

const definedOnly = (env: Readonly<Record<string, string | undefined>>) =>
  Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )

/** A running gateway: its base URL (without `/v1`) and how to stop it. */
export interface RunningServer {
  readonly url: string
  readonly close: () => Promise<void>
}

/**
 * Starts the gateway in-process (tests, `tollgate serve`, benchmarks) and resolves once it
 * listens. `port: 0` picks a free port; read it from `url`.
 */
export const makeServer = async (options: MakeServerOptions = {}): Promise<RunningServer> => {
  const scope = Scope.makeUnsafe()
  const built = await Effect.runPromiseExit(Layer.buildWithScope(serverLayer(options), scope))
  if (Exit.isFailure(built)) {
    await Effect.runPromise(Scope.close(scope, built))
    throw new Error(startupFailure(built))
  }
  const server = Context.get(built.value, HttpServer.HttpServer)
  return {
    url: HttpServer.formatAddress(server.address).replace(/\/$/, ""),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
  }
}

/** The message of a startup failure: a config error names its file and field as is. */
const startupFailure = (exit: Exit.Failure<unknown, unknown>): string => {
  const error = Cause.squash(exit.cause)
  return error instanceof Error ? error.message : String(error)
}
