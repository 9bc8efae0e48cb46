import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { MASTER_KEY } from "./e2e-harness.ts"
import { type LedgerGateway, startLedgerGateway } from "./ledger-support/ledger-gateway.ts"
import { sendMixed } from "./ledger-support/mixed-load.ts"
import { decimalToNano, sumNano } from "./ledger-support/money.ts"

const CLI = fileURLToPath(new URL("../../../cli/src/bin.ts", import.meta.url))

interface UsageReport {
  readonly currency: { readonly code: string; readonly rate_per_usd: string }
  readonly data: ReadonlyArray<{ group: string; cost_usd: string; billed_amount: string }>
  readonly total: { readonly cost_usd: string; readonly billed_amount: string }
}

interface CliReport {
  readonly currency: { readonly code: string; readonly rate_per_usd: string }
  readonly total: { readonly cost_usd: string; readonly billed: string }
}

const usageOf = async (gateway: LedgerGateway): Promise<UsageReport> => {
  const response = await fetch(`${gateway.server.url}/v1/usage?group_by=model`, {
    headers: { authorization: `Bearer ${MASTER_KEY}` },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as UsageReport
}

/** `tollgate usage ...` as a user runs it, against `gateway`; its standard output. */
const tollgateUsage = async (gateway: LedgerGateway, args: ReadonlyArray<string>) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, "usage", "--base-url", gateway.server.url, ...args],
    { env: { PATH: process.env.PATH ?? "", TOLLGATE_API_KEY: MASTER_KEY }, timeout: 20_000 },
  )
  return stdout
}

/** Sends `count` requests of the mixed load; the nano-USD each client was told it cost. */
const spend = async (gateway: LedgerGateway, count: number): Promise<bigint> => {
  const received = await Promise.all(
    Array.from({ length: count }, (_, i) => sendMixed(gateway.client, i)),
  )
  return sumNano(received.map((r) => r.costNano))
}

describe("billing in CNY at 1 per list USD (a reseller's rate)", () => {
  let gateway: LedgerGateway
  let spent = 0n

  beforeAll(async () => {
    const started = await startLedgerGateway({
      dialect: "sqlite",
      config: () => ({ currency: { code: "CNY", ratePerUsd: "1", symbol: "¥" } }),
    })
    if (started === undefined) throw new Error("the SQLite store did not open")
    gateway = started
    spent = await spend(gateway, 8)
  })

  afterAll(async () => {
    await gateway?.close()
  })

  it("reports list USD and the billed CNY, equal at this rate, in GET /v1/usage", async () => {
    const report = await usageOf(gateway)
    expect(report.currency).toEqual({ code: "CNY", rate_per_usd: "1" })
    expect(decimalToNano(report.total.cost_usd)).toBe(spent)
    expect(report.total.billed_amount).toBe(report.total.cost_usd)
    expect(report.data.length).toBeGreaterThan(1)
    for (const row of report.data) expect(row.billed_amount).toBe(row.cost_usd)
  })

  it("shows the same in `tollgate usage --json --currency CNY --rate 1`", async () => {
    const report = JSON.parse(
      await tollgateUsage(gateway, ["--json", "--currency", "CNY", "--rate", "1"]),
    ) as CliReport
    expect(report.currency).toEqual({ code: "CNY", rate_per_usd: "1" })
    expect(decimalToNano(report.total.cost_usd)).toBe(spent)
    expect(decimalToNano(report.total.billed)).toBe(spent)
  }, 30_000)
})

describe("billing at a rate other than 1", () => {
  let gateway: LedgerGateway
  let spent = 0n

  beforeAll(async () => {
    const started = await startLedgerGateway({
      dialect: "sqlite",
      config: () => ({ currency: { code: "CNY", ratePerUsd: "7.3" } }),
    })
    if (started === undefined) throw new Error("the SQLite store did not open")
    gateway = started
    spent = await spend(gateway, 8)
  })

  afterAll(async () => {
    await gateway?.close()
  })

  it("multiplies list USD by the operator's rate, exactly", async () => {
    const report = await usageOf(gateway)
    expect(report.currency).toEqual({ code: "CNY", rate_per_usd: "7.3" })
    expect(decimalToNano(report.total.cost_usd)).toBe(spent)
    // Every price here is a multiple of 10 nano-USD per token, so x 7.3 leaves no remainder.
    expect(spent % 10n).toBe(0n)
    expect(decimalToNano(report.total.billed_amount)).toBe((spent * 73n) / 10n)
  })

  it("lets `tollgate usage --currency CNY --rate 1` bill at the reseller's rate", async () => {
    const table = await tollgateUsage(gateway, ["--currency", "CNY", "--rate", "1"])
    expect(table).toContain("billed in CNY at 1 per list USD")
    expect(table).toContain("billed CNY")
    // The total row: list USD and billed CNY, the same figure at a rate of 1.
    const total = table
      .split("\n")
      .find((line) => /^\W*total\b/.test(line))
      ?.split("│")
      .map((cell) => cell.trim())
    const [listUsd, billed] = total?.slice(-3, -1) ?? []
    expect(listUsd).toMatch(/^\d+\.\d+$/)
    expect(billed).toBe(listUsd)
    expect(Number(listUsd)).toBeGreaterThan(0)
  }, 30_000)
})
