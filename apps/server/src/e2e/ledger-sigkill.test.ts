import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import type { StoreDatabaseOptions } from "@tollgate/store"
import { createTestDatabase, postgresOrSkip, type TestDatabase } from "@tollgate/store/testing"
import OpenAI from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MASTER_KEY } from "./e2e-harness.ts"
import { type ChildGateway, startChildGateway } from "./ledger-support/child-gateway.ts"
import { EMULATOR_KEY_ENV, emulatorModels } from "./ledger-support/emulator-config.ts"
import { type Dialect, serverDatabaseUrl } from "./ledger-support/ledger-gateway.ts"
import { type Received, runBounded, sendMixed } from "./ledger-support/mixed-load.ts"
import { decimalToNano, sumNano } from "./ledger-support/money.ts"
import { readLedger } from "./ledger-support/read-ledger.ts"

const REQUESTS = 300
const IN_FLIGHT = 40

// Killed once this many responses reached their clients, with about IN_FLIGHT still open.
const KILL_AFTER = 100

let emulator: Emulator

beforeAll(async () => {
  // Paced a little, so that requests are mid-way (streams half sent) when the kill lands.
  emulator = await startEmulator({ port: 0, ttftMs: 5, tokensPerSecond: 400 })
})

afterAll(async () => {
  await emulator?.close()
})

const totalOf = async (gateway: ChildGateway): Promise<bigint> => {
  const response = await fetch(`${gateway.url}/v1/usage`, {
    headers: { authorization: `Bearer ${MASTER_KEY}` },
  })
  expect(response.status).toBe(200)
  return decimalToNano(((await response.json()) as { total: { cost_usd: string } }).total.cost_usd)
}

/** Journal files under `.tollgate/ledger-journal/<host>/` written by process `pid`, by path. */
const journalsOf = (stateDir: string, pid: number | undefined): Array<string> => {
  const root = join(stateDir, "ledger-journal")
  return readdirSync(root).flatMap((host) =>
    readdirSync(join(root, host))
      .filter((file) => file.startsWith(`${pid}-`))
      .map((file) => join(root, host, file)),
  )
}

const emulatorRequestsSince = (from: number): number =>
  emulator.requests.filter((request) => request.receivedAt >= from).length

const suite = (dialect: Dialect) => {
  let test: TestDatabase | undefined
  let enabled = true
  const children: Array<ChildGateway> = []

  beforeAll(async () => {
    enabled = dialect === "sqlite" || (await postgresOrSkip())
    if (enabled) test = await createTestDatabase(dialect)
  })

  afterAll(async () => {
    for (const child of children) child.process.kill("SIGKILL")
    await test?.drop()
  })

  it("keeps every answered request once, at its client's cost, across kill -9", async (context) => {
    if (!enabled) return context.skip("PostgreSQL is not reachable")
    if (test === undefined) throw new Error("no test database")
    const cwd = mkdtempSync(join(tmpdir(), "tollgate-sigkill-"))
    const stateDir = join(cwd, ".tollgate")
    writeFileSync(
      join(cwd, "tollgate.config.json"),
      JSON.stringify({ server: { port: 0 }, models: emulatorModels(emulator) }),
    )
    const databaseUrl = serverDatabaseUrl(test)
    const env = {
      TOLLGATE_MASTER_KEY: MASTER_KEY,
      [EMULATOR_KEY_ENV]: "emulator-key",
      ...(databaseUrl === undefined ? {} : { TOLLGATE_DATABASE_URL: databaseUrl }),
    }
    const database: StoreDatabaseOptions =
      dialect === "sqlite" ? { dataDir: stateDir } : test.options

    const startedAt = Date.now()
    const first = await startChildGateway(cwd, env)
    children.push(first)
    const client = new OpenAI({
      baseURL: `${first.url}/v1`,
      apiKey: MASTER_KEY,
      maxRetries: 0,
      timeout: 10_000,
    })
    let answered = 0
    const settled = await runBounded(REQUESTS, IN_FLIGHT, async (i) => {
      const received = await sendMixed(client, i)
      answered += 1
      if (answered === KILL_AFTER) first.process.kill("SIGKILL")
      return received
    })
    expect(await first.exited).toBe("SIGKILL")
    const received = settled.flatMap(
      (r): Array<Received> => (r.status === "fulfilled" ? [r.value] : []),
    )
    // The kill cut the load short: some requests never got an answer.
    expect(received.length).toBeGreaterThanOrEqual(KILL_AFTER)
    expect(received.length).toBeLessThan(REQUESTS)

    // Killed under load, the process leaves entries in its journal that no flush committed
    // (a few to a few dozen lines in trial runs); the restarted gateway replays them before it
    // listens. Kept aside to replay them once more below.
    const journal = new Map(
      journalsOf(stateDir, first.process.pid).map((path) => [path, readFileSync(path, "utf8")]),
    )
    const second = await startChildGateway(cwd, env)
    children.push(second)
    const reportedTotal = await totalOf(second)
    const rows = await readLedger(database)

    const byId = new Map(rows.map((row) => [row.requestId, row]))
    expect(byId.size).toBe(rows.length)
    const missing = received.filter((r) => !byId.has(r.requestId)).map((r) => r.requestId)
    expect(missing).toEqual([])
    const wrongCost = received.filter((r) => byId.get(r.requestId)?.costNanoUsd !== r.costNano)
    expect(wrongCost).toEqual([])
    // No more rows than requests sent (a request the kill cut off may or may not have one),
    // and none the gateway never passed upstream.
    expect(rows.length).toBeLessThanOrEqual(REQUESTS)
    expect(rows.length).toBeLessThanOrEqual(emulatorRequestsSince(startedAt))
    expect(reportedTotal).toBe(sumNano(rows.map((row) => row.costNanoUsd)))
    expect(reportedTotal).toBeGreaterThanOrEqual(sumNano(received.map((r) => r.costNano)))
    // The dead process's journal was committed and removed, so a later start cannot replay it.
    expect(journalsOf(stateDir, first.process.pid)).toEqual([])

    // As if the crash had struck between a commit and the journal's deletion: the dead
    // process's journal is back, and a third start replays entries already in the ledger.
    second.process.kill("SIGKILL")
    expect(await second.exited).toBe("SIGKILL")
    for (const [path, lines] of journal) writeFileSync(path, lines)
    const third = await startChildGateway(cwd, env)
    children.push(third)
    expect(await totalOf(third)).toBe(reportedTotal)
    expect(await readLedger(database)).toHaveLength(rows.length)
    expect(journalsOf(stateDir, first.process.pid)).toEqual([])
    third.process.kill("SIGKILL")
    await third.exited
  }, 60_000)
}

describe("the ledger across kill -9 of the gateway process, on SQLite", () => suite("sqlite"))
describe("the ledger across kill -9 of the gateway process, on PostgreSQL", () => suite("postgres"))
