import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type ChildServer, startChild } from "./child-server.ts"
import { freePort } from "./free-port.ts"
import { type TollgateSetup, UPSTREAM_KEY_ENV, writeTollgateConfig } from "./tollgate-config.ts"

/** A server under test and how to send it a chat request. */
export interface Target {
  readonly name: string
  readonly server: ChildServer
  /** Full URL of the chat completions endpoint. */
  readonly url: string
  readonly headers: Record<string, string>
  /** Said under the table, e.g. which key Tollgate was called with. */
  readonly note?: string
}

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const UPSTREAM_KEY = "sk-bench-upstream"
const MASTER_KEY = "tg-bench-master-key"
const json = { "content-type": "application/json" }

/** The emulator, in its own process; `slow` adds the heavy tail of the hedging run. */
export const startEmulatorChild = async (
  logDir: string,
  slow?: { readonly probability: number; readonly delayMs: number },
): Promise<ChildServer> => {
  const port = await freePort()
  const tail = slow === undefined ? [] : [String(slow.probability), String(slow.delayMs)]
  return startChild({
    name: "emulator",
    url: `http://127.0.0.1:${port}`,
    args: [here("./servers/emulator-child.ts"), String(port), ...tail],
    readyPath: "/v1/models",
    logFile: join(logDir, "emulator.log"),
  })
}

/** Straight to the emulator: what the upstream itself costs. */
export const directTarget = (emulator: ChildServer): Target => ({
  name: "direct",
  server: emulator,
  url: `${emulator.url}/v1/chat/completions`,
  headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` },
})

/** The bare undici pass-through proxy: the floor any proxy pays. */
export const startBareProxy = async (emulator: ChildServer, logDir: string): Promise<Target> => {
  const port = await freePort()
  const server = await startChild({
    name: "bare proxy",
    url: `http://127.0.0.1:${port}`,
    args: [here("./servers/bare-proxy-child.ts"), String(port), emulator.url],
    readyPath: "/v1/models",
    logFile: join(logDir, "bare-proxy.log"),
  })
  return {
    name: "bare proxy",
    server,
    url: `${server.url}/v1/chat/completions`,
    headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` },
  }
}

// A virtual key, as production traffic uses: authentication through the key cache, admission
// and the ledger. Falls back to the master key when the admin API is not there.
const benchKey = async (url: string): Promise<{ key: string; note?: string }> => {
  const answer = await fetch(`${url}/admin/keys`, {
    method: "POST",
    headers: { ...json, authorization: `Bearer ${MASTER_KEY}` },
    body: JSON.stringify({ name: "bench" }),
  }).catch(() => undefined)
  const body: unknown = answer?.ok ? await answer.json() : undefined
  if (typeof body === "object" && body !== null && "key" in body && typeof body.key === "string") {
    return { key: body.key }
  }
  return { key: MASTER_KEY, note: "called with the master key (no /admin/keys to create one)" }
}

/**
 * Tollgate as production runs it: `apps/server/src/main.ts` in its own process, configured by
 * `tollgate.config.json` (the bench model pointed at the emulator), the SQLite ledger, JSON
 * request logs at info level written to a file.
 */
export const startTollgate = async (
  setup: TollgateSetup,
  logDir: string,
  name = "tollgate",
): Promise<Target> => {
  const port = await freePort()
  const cwd = writeTollgateConfig(setup)
  const main = fileURLToPath(new URL("./main.ts", import.meta.resolve("@tollgate/server")))
  const server = await startChild({
    name,
    url: `http://127.0.0.1:${port}`,
    args: [main],
    cwd,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      TOLLGATE_MASTER_KEY: MASTER_KEY,
      [UPSTREAM_KEY_ENV]: UPSTREAM_KEY,
    },
    readyPath: "/health",
    logFile: join(logDir, `${name.replace(/[^a-z0-9]+/gi, "-")}.log`),
  })
  const { key, note } = await benchKey(server.url)
  return {
    name,
    server,
    url: `${server.url}/v1/chat/completions`,
    headers: { ...json, authorization: `Bearer ${key}` },
    ...(note === undefined ? {} : { note }),
  }
}

/**
 * The Portkey gateway (`@portkey-ai/gateway`, Node build) in production mode, told per request
 * to call an OpenAI-compatible host, the emulator.
 */
export const startPortkey = async (emulator: ChildServer, logDir: string): Promise<Target> => {
  const port = await freePort()
  const entry = fileURLToPath(import.meta.resolve("@portkey-ai/gateway/build/start-server.js"))
  const server = await startChild({
    name: "portkey",
    url: `http://127.0.0.1:${port}`,
    args: ["--import", here("./servers/loopback-only.ts"), entry, `--port=${port}`, "--headless"],
    env: { NODE_ENV: "production" },
    readyPath: "/",
    logFile: join(logDir, "portkey.log"),
  })
  return {
    name: "portkey",
    server,
    url: `${server.url}/v1/chat/completions`,
    headers: {
      ...json,
      authorization: `Bearer ${UPSTREAM_KEY}`,
      "x-portkey-provider": "openai",
      "x-portkey-custom-host": `${emulator.url}/v1`,
    },
  }
}
