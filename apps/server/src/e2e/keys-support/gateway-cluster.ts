import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { createTestDatabase, type TestDatabase } from "@tollgate/store/testing"
import OpenAI from "openai"
import { afterAll, beforeAll } from "vitest"
import { makeServer, type RunningServer } from "../../index.ts"
import { startUpstreamGate, type UpstreamGate } from "./upstream-gate.ts"

/** The master key of every cluster; searched for in logs and tables like any other secret. */
export const CLUSTER_MASTER_KEY = "tg-keys-e2e-master-0f3c9a1b7d2e4f60"

/** Where the cluster keeps its keys, budgets and counters. */
export interface ClusterOptions {
  /** How many gateway instances; they share the database (and Redis when given). */
  readonly instances: number
  /** `sqlite`: one instance's embedded file; `postgres`: a fresh schema shared by all. */
  readonly database: "sqlite" | "postgres"
  /** A Redis URL for shared rate-limit counters; in-memory counters when absent. */
  readonly redisUrl?: string
  /** How many tokens the emulator's answers run to before `max_tokens` cuts them (16). */
  readonly defaultTokens?: number
  /** Prefix of the counters' Redis keys (`TOLLGATE_REDIS_KEY_PREFIX`). */
  readonly redisKeyPrefix?: string
}

/** Gateway instances in front of one emulator (through a gate), and what they logged. */
export interface Cluster {
  readonly emulator: Emulator
  readonly gate: UpstreamGate
  readonly servers: ReadonlyArray<RunningServer>
  /** Every JSON log line any instance wrote, in order. */
  readonly logs: Array<string>
  /** The PostgreSQL schema, when the cluster runs on PostgreSQL. */
  readonly database: TestDatabase | undefined
  /** The state directory of instance `i` (SQLite file, ledger journal). */
  readonly stateDir: (i: number) => string
  readonly close: () => Promise<void>
}

/** The URL that selects a schema through PostgreSQL's `options` startup parameter. */
const schemaUrl = (database: TestDatabase): string => {
  const { url, schema } = database.options
  if (url === undefined || schema === undefined) throw new Error("not a PostgreSQL test database")
  const withSchema = new URL(url)
  withSchema.searchParams.set("options", `-c search_path=${schema}`)
  return withSchema.toString()
}

/**
 * Starts an instant emulator, a gate in front of it and `instances` gateways on a fresh
 * database. Undefined when PostgreSQL was asked for and is not reachable.
 */
export const startCluster = async (options: ClusterOptions): Promise<Cluster | undefined> => {
  const database =
    options.database === "postgres" ? await createTestDatabase("postgres") : undefined
  if (options.database === "postgres" && database === undefined) return undefined

  const emulator = await startEmulator({
    port: 0,
    ttftMs: 0,
    tokensPerSecond: 0,
    ...(options.defaultTokens === undefined ? {} : { defaultTokens: options.defaultTokens }),
  })
  const gate = await startUpstreamGate(emulator.url)
  const logs: Array<string> = []
  const dirs = Array.from({ length: options.instances }, (_, i) =>
    mkdtempSync(join(tmpdir(), `tollgate-keys-e2e-${i}-`)),
  )
  // Started together, as replicas of a deployment are: they race to run the migrations.
  const started = await Promise.allSettled(
    dirs.map((cwd) =>
      makeServer({
        port: 0,
        cwd,
        emulatorUrl: gate.url,
        env: {
          TOLLGATE_MASTER_KEY: CLUSTER_MASTER_KEY,
          ...(database === undefined ? {} : { TOLLGATE_DATABASE_URL: schemaUrl(database) }),
          ...(options.redisUrl === undefined ? {} : { TOLLGATE_REDIS_URL: options.redisUrl }),
          ...(options.redisKeyPrefix === undefined
            ? {}
            : { TOLLGATE_REDIS_KEY_PREFIX: options.redisKeyPrefix }),
        },
        log: (line) => logs.push(line),
        print: (text) => logs.push(text),
        shutdownGraceMs: 200,
      }),
    ),
  )
  const servers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []))
  const failed = started.find((s) => s.status === "rejected")
  if (failed !== undefined) {
    // Leave nothing running behind a failed start:
    for (const server of servers) await server.close()
    await gate.close()
    await emulator.close()
    await database?.drop()
    throw failed.reason
  }

  return {
    emulator,
    gate,
    servers,
    logs,
    database,
    stateDir: (i) => join(dirs[i] ?? "", ".tollgate"),
    close: async () => {
      for (const server of servers) await server.close()
      await gate.close()
      await emulator.close()
      await database?.drop()
    },
  }
}

/** An `openai` client for `key` on `server`, with the client's default retry policy. */
export const clientOn = (
  server: RunningServer,
  key: string,
  options: { readonly onFetch?: () => void } = {},
): OpenAI =>
  new OpenAI({
    baseURL: `${server.url}/v1`,
    apiKey: key,
    // Counts every HTTP attempt the client makes, retries included:
    fetch: (input, init) => {
      options.onFetch?.()
      return fetch(input, init)
    },
  })

/** Instance `i` of the cluster (modulo its size, so requests can be spread round-robin). */
export const instance = (cluster: Cluster, i: number): RunningServer => {
  const server = cluster.servers[i % cluster.servers.length]
  if (server === undefined) throw new Error("a cluster without instances")
  return server
}

/**
 * Starts a cluster for the enclosing suite and closes it after; the getter fails the test when
 * the cluster did not start.
 */
export const useCluster = (options: ClusterOptions, timeoutMs: number): (() => Cluster) => {
  let cluster: Cluster | undefined
  beforeAll(async () => {
    cluster = await startCluster(options)
  }, timeoutMs)
  afterAll(async () => {
    await cluster?.close()
  }, timeoutMs)
  return () => {
    if (cluster === undefined) throw new Error("the cluster did not start")
    return cluster
  }
}
