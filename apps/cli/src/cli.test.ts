import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { makeServer, type RunningServer } from "@tollgate/server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const MASTER_KEY = "tg-cli-test-master-key"
const BIN = fileURLToPath(new URL("./bin.ts", import.meta.url))
// Each run starts a fresh Node process; on a busy 2-core machine that takes a few seconds.
const SPAWN_TIMEOUT_MS = 30_000

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `tollgate ...` as a user would: a new process of the Node running these tests (Node 24
 * from PATH), with only the environment given here, so the developer's own TOLLGATE_* stay out.
 */
const tollgate = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: SPAWN_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout, stderr })
      },
    )
  })

const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "")

/** A loopback port nothing listens on: bound, then released. */
const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

let emulator: Emulator
let server: RunningServer
let gateway: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 })
  server = await makeServer({
    port: 0,
    cwd: mkdtempSync(join(tmpdir(), "tollgate-cli-")),
    emulatorUrl: emulator.url,
    env: { TOLLGATE_MASTER_KEY: MASTER_KEY },
    log: false,
    shutdownGraceMs: 200,
  })
  gateway = { TOLLGATE_BASE_URL: server.url, TOLLGATE_API_KEY: MASTER_KEY }
})

afterAll(async () => {
  await server?.close()
  await emulator?.close()
})

// "gpt-4.1 · 12 ms (first token 9 ms) · 9 prompt + 16 completion tokens · $0.000136"
const SUMMARY = new RegExp(
  String.raw`^gpt-4\.1 · [\d.]+ m?s( \(first token [\d.]+ m?s\))? · ` +
    String.raw`(\d+) prompt \+ (\d+) completion tokens · \$0\.\d+$`,
)

describe("tollgate chat", () => {
  it(
    "streams the answer, then one line with latency, time to first token, tokens and cost",
    async () => {
      const run = await tollgate(["chat", "Say hello", "--model", "gpt-4.1"], gateway)

      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout.trim().split(" ").length).toBeGreaterThan(1)
      const summary = lines(run.stderr).at(-1) ?? ""
      expect(summary).toMatch(SUMMARY)
      expect(summary).toContain("(first token")
      expect(summary).not.toContain("$0.00 ")
      const [, , prompt, completion] = SUMMARY.exec(summary) ?? []
      expect(Number(prompt)).toBeGreaterThan(0)
      expect(Number(completion)).toBe(run.stdout.trim().split(/\s+/).length)
      const upstream = emulator.requests.at(-1)
      expect(upstream?.stream).toBe(true)
    },
    SPAWN_TIMEOUT_MS,
  )

  it(
    "waits for the whole answer with --no-stream and reports the same kind of line",
    async () => {
      const run = await tollgate(
        ["chat", "Say hello", "--model", "gpt-4.1", "--no-stream"],
        gateway,
      )

      expect(run.code, run.stderr).toBe(0)
      const summary = lines(run.stderr).at(-1) ?? ""
      expect(summary).toMatch(SUMMARY)
      expect(summary).not.toContain("first token")
      expect(emulator.requests.at(-1)?.stream).toBe(false)
    },
    SPAWN_TIMEOUT_MS,
  )

  it(
    "prints the response, usage with its cost, and timings as JSON with --json",
    async () => {
      const run = await tollgate(["chat", "Say hello", "--model", "gpt-4.1", "--json"], gateway)

      expect(run.code, run.stderr).toBe(0)
      const data = JSON.parse(run.stdout)
      expect(data.response.choices[0].message.content.length).toBeGreaterThan(0)
      expect(data.response.usage.completion_tokens).toBeGreaterThan(0)
      expect(data.response.usage.cost).toBeGreaterThan(0)
      expect(data.latency_ms).toBeGreaterThanOrEqual(data.first_token_ms)
    },
    SPAWN_TIMEOUT_MS,
  )
})

describe("tollgate chat when the stream breaks", () => {
  it(
    "keeps the text that came, then says in one line that the answer broke off",
    async () => {
      emulator.enqueueFault({ kind: "cut", afterChunks: 4 }, { model: "gpt-4.1", times: 1 })
      const run = await tollgate(["chat", "Say hello", "--model", "gpt-4.1"], gateway)
      emulator.reset()

      expect(run.code).toBe(1)
      expect(run.stdout.trim().length).toBeGreaterThan(0)
      expect(lines(run.stderr)).toEqual([
        expect.stringMatching(/^tollgate: the answer broke off: /),
      ])
    },
    SPAWN_TIMEOUT_MS,
  )
})

describe("tollgate models", () => {
  it(
    "lists the models as a table of id and owner",
    async () => {
      const run = await tollgate(["models"], gateway)

      expect(run.code, run.stderr).toBe(0)
      const row = lines(run.stdout).find((line) => line.includes(" gpt-4.1 "))
      expect(row).toMatch(/│ gpt-4\.1 +│ openai \(emulated\) +│/)
      expect(run.stdout).toMatch(/│ id +│ owned_by +│/)
    },
    SPAWN_TIMEOUT_MS,
  )

  it(
    "prints the list as data with --json",
    async () => {
      const run = await tollgate(["models", "--json"], gateway)

      expect(run.code, run.stderr).toBe(0)
      const list = JSON.parse(run.stdout)
      const ids = list.data.map((model: { id: string }) => model.id)
      expect(ids).toEqual(expect.arrayContaining(["gpt-4.1", "gemini-3.1-flash"]))
    },
    SPAWN_TIMEOUT_MS,
  )
})

describe("tollgate usage and keys", () => {
  it(
    "reports the spend of the chats above with list USD and the billed amount",
    async () => {
      const run = await tollgate(
        ["usage", "--group-by", "model", "--currency", "CNY", "--rate", "1"],
        gateway,
      )

      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toMatch(/│ model +│ requests │ .* │ list USD │ billed CNY │/)
      const row = lines(run.stdout).find((line) => line.includes(" gpt-4.1 "))
      // Four chats above (three answered, one broken off and billed for what it produced);
      // rate 1 bills one CNY per list USD.
      const cells = (row ?? "").split("│").map((cell) => cell.trim())
      expect(cells[2]).toBe("4")
      expect(cells[6]).toBe(cells[5])
      expect(Number(cells[5])).toBeGreaterThan(0)
    },
    SPAWN_TIMEOUT_MS,
  )

  it(
    "creates a key that can chat, lists it, then revokes it",
    async () => {
      const admin = { TOLLGATE_BASE_URL: server.url, TOLLGATE_MASTER_KEY: MASTER_KEY }
      const created = await tollgate(["keys", "create", "--name", "cli-test", "--json"], admin)
      expect(created.code, created.stderr).toBe(0)
      const key = JSON.parse(created.stdout)
      expect(key.key).toMatch(/^tg-/)

      const asKey = { TOLLGATE_BASE_URL: server.url, TOLLGATE_API_KEY: key.key }
      const chat = await tollgate(["chat", "hi", "--model", "gpt-4.1", "--no-stream"], asKey)
      expect(chat.code, chat.stderr).toBe(0)

      const list = await tollgate(["keys", "list"], admin)
      expect(lines(list.stdout).find((line) => line.includes(key.id))).toMatch(/cli-test .*active/)

      const revoked = await tollgate(["keys", "revoke", key.id], admin)
      expect(revoked.stdout.trim()).toBe(`Revoked key ${key.id}`)
      const refused = await tollgate(["chat", "hi", "--model", "gpt-4.1"], asKey)
      expect(refused.code).toBe(1)
      expect(lines(refused.stderr)).toEqual([expect.stringContaining("the gateway answered 401")])
    },
    4 * SPAWN_TIMEOUT_MS,
  )
})

describe("tollgate errors and help", () => {
  it(
    "says in one line that the gateway cannot be reached, and exits 1",
    async () => {
      const url = `http://127.0.0.1:${await closedPort()}`
      const run = await tollgate(["models"], { TOLLGATE_BASE_URL: url, TOLLGATE_API_KEY: "k" })

      expect(run.code).toBe(1)
      expect(run.stdout).toBe("")
      expect(lines(run.stderr)).toEqual([
        expect.stringMatching(/^tollgate: cannot reach the gateway at .* \(ECONNREFUSED\)/),
      ])
    },
    SPAWN_TIMEOUT_MS,
  )

  it(
    "shows help with every subcommand and exits 0",
    async () => {
      const run = await tollgate(["--help"])

      expect(run.code, run.stderr).toBe(0)
      for (const command of ["serve", "chat", "models", "usage", "keys"]) {
        expect(run.stdout).toMatch(new RegExp(`^ {2}${command} `, "m"))
      }
    },
    SPAWN_TIMEOUT_MS,
  )

  it(
    "shows a subcommand's flags with chat --help",
    async () => {
      const run = await tollgate(["chat", "--help"])

      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain("--model")
      expect(run.stdout).toContain("--stream")
    },
    SPAWN_TIMEOUT_MS,
  )
})
