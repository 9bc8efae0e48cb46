import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, type EmulatorOptions, startEmulator } from "@tollgate/emulator"
import OpenAI from "openai"
import { makeServer, type RunningServer } from "../../index.ts"
import { MASTER_KEY } from "../e2e-harness.ts"

/** The model every chaos gateway serves, from the deployments it is given. */
export const CHAOS_MODEL = "gpt-4.1"

/** The environment variable holding the (fake) key of every chaos deployment. */
const KEY_ENV = "TOLLGATE_CHAOS_EMULATOR_KEY"

/** A model's `resilience` as `tollgate.config.json` takes it. */
export interface ChaosResilience {
  readonly deadlineMs?: number
  readonly attemptTimeoutMs?: number
  readonly firstTokenTimeoutMs?: number
  readonly idleTimeoutMs?: number
  readonly maxRetries?: number
  readonly backoffBaseMs?: number
}

/** Options of `startChaosGateway`: one emulator per entry of `upstreams`, in routing order. */
export interface ChaosGatewayOptions {
  readonly upstreams: ReadonlyArray<EmulatorOptions>
  readonly resilience: ChaosResilience
  readonly routing?: "weighted" | "latency" | "least-busy"
}

/** The real server in front of its emulators, and the `openai` client (and URL) in front of it. */
export interface ChaosGateway {
  /** In the order of `CHAOS_MODEL`'s deployments. */
  readonly upstreams: ReadonlyArray<Emulator>
  readonly server: RunningServer
  readonly client: OpenAI
  readonly close: () => Promise<void>
}

/**
 * Starts the emulators and the server (with its store, in a fresh working directory) whose
 * `tollgate.config.json` gives `CHAOS_MODEL` one deployment per emulator.
 */
export const startChaosGateway = async (options: ChaosGatewayOptions): Promise<ChaosGateway> => {
  const upstreams: Array<Emulator> = []
  const closeAll = async (server?: RunningServer) => {
    await server?.close()
    for (const upstream of upstreams) await upstream.close()
  }
  try {
    for (const upstream of options.upstreams)
      upstreams.push(await startEmulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, ...upstream }))
    const cwd = mkdtempSync(join(tmpdir(), "tollgate-chaos-"))
    const config = {
      models: {
        [CHAOS_MODEL]: {
          deployments: upstreams.map((u) => ({
            provider: "openai",
            baseUrl: u.openaiBaseUrl,
            keyEnv: KEY_ENV,
          })),
          routing: options.routing ?? "least-busy",
          resilience: options.resilience,
        },
      },
    }
    writeFileSync(join(cwd, "tollgate.config.json"), JSON.stringify(config))
    const server = await makeServer({
      port: 0,
      cwd,
      // The default models go to the first emulator too, so no in-process one is started.
      emulatorUrl: upstreams[0]?.url,
      env: { TOLLGATE_MASTER_KEY: MASTER_KEY, [KEY_ENV]: "sk-chaos-emulator" },
      log: false,
      shutdownGraceMs: 200,
    })
    // No client retries: every retry an emulator sees is the gateway's own.
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 })
    return { upstreams, server, client, close: () => closeAll(server) }
  } catch (error) {
    await closeAll()
    throw error
  }
}
