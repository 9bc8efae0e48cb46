import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, type EmulatorOptions, startEmulator } from "@tollgate/emulator"
import type { StoreDatabaseOptions } from "@tollgate/store"
import { createTestDatabase, type TestDatabase } from "@tollgate/store/testing"
import OpenAI from "openai"
import { makeServer, type RunningServer } from "../../index.ts"
import { MASTER_KEY } from "../e2e-harness.ts"

/** The database a ledger test runs on. */
export type Dialect = "sqlite" | "postgres"

/** A gateway in-process with its own store, an emulator behind it and a client in front. */
export interface LedgerGateway {
  readonly emulator: Emulator
  readonly server: RunningServer
  readonly client: OpenAI
  /** Where the server's ledger lives, for `readLedger`. */
  readonly database: StoreDatabaseOptions
  readonly close: () => Promise<void>
}

/**
 * The server reads only a URL: the test schema travels in it as the `search_path` startup
 * option, so each run writes to its own schema.
 */
export const serverDatabaseUrl = (test: TestDatabase): string | undefined => {
  const { url, schema } = test.options
  if (url === undefined || schema === undefined) return url
  const withSchema = new URL(url)
  withSchema.searchParams.set("options", `-c search_path=${schema}`)
  return withSchema.toString()
}

/** Options of `startLedgerGateway`. */
export interface LedgerGatewayOptions {
  readonly dialect: Dialect
  readonly emulator?: EmulatorOptions
  /** Written as `tollgate.config.json` in the server's working directory. */
  readonly config?: (emulator: Emulator) => unknown
  /** More environment for the server (keys the config's `keyEnv` names). */
  readonly env?: Readonly<Record<string, string>>
}

/**
 * Starts an emulator and the gateway in front of it on a fresh store; undefined when the
 * dialect is PostgreSQL and it cannot be reached (the caller decides to skip or fail).
 */
export const startLedgerGateway = async (
  options: LedgerGatewayOptions,
): Promise<LedgerGateway | undefined> => {
  const test = await createTestDatabase(options.dialect)
  if (test === undefined) return undefined
  const cwd = mkdtempSync(join(tmpdir(), "tollgate-ledger-"))
  const emulator = await startEmulator({
    port: 0,
    ttftMs: 0,
    tokensPerSecond: 0,
    ...options.emulator,
  })
  if (options.config !== undefined)
    writeFileSync(join(cwd, "tollgate.config.json"), JSON.stringify(options.config(emulator)))
  const databaseUrl = serverDatabaseUrl(test)
  const server = await makeServer({
    port: 0,
    cwd,
    emulatorUrl: emulator.url,
    env: {
      TOLLGATE_MASTER_KEY: MASTER_KEY,
      ...options.env,
      ...(databaseUrl === undefined ? {} : { TOLLGATE_DATABASE_URL: databaseUrl }),
    },
    log: false,
    shutdownGraceMs: 200,
  })
  // No client retries: each request the client sends is one request the ledger must show.
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 })
  return {
    emulator,
    server,
    client,
    database: options.dialect === "sqlite" ? { dataDir: join(cwd, ".tollgate") } : test.options,
    close: async () => {
      await server.close()
      await emulator.close()
      await test.drop()
    },
  }
}
