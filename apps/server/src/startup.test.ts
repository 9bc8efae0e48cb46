import { execFile } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import OpenAI from "openai"
import { describe, expect, it } from "vitest"
import { makeServer } from "./index.ts"

const freshDir = () => mkdtempSync(join(tmpdir(), "tollgate-startup-"))

describe("makeServer", () => {
  it("with no provider key, serves the default catalog from an in-process emulator", async () => {
    const logs: string[] = []
    const printed: string[] = []
    const server = await makeServer({
      port: 0,
      cwd: freshDir(),
      env: {},
      log: (line) => logs.push(line),
      print: (text) => printed.push(text),
    })
    try {
      const key = printed.join("").match(/tg-master-[\w-]+/)?.[0]
      if (key === undefined) throw new Error("the generated key was not printed")
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 })

      const models = await client.models.list()
      expect(models.data.map((m) => m.owned_by)).toContain("anthropic (emulated)")
      const answer = await client.chat.completions.create({
        model: "gemini-3.1-flash",
        messages: [{ role: "user", content: "hi" }],
      })
      expect(answer.choices[0]?.message.content).toBeTruthy()

      const listening = logs.find((l) => l.includes('"msg":"listening"')) ?? ""
      expect(listening).toContain("built-in emulator")
      expect(logs.join("\n")).not.toContain(key)
    } finally {
      await server.close()
    }
  })

  it("prints a generated master key once; later starts only say that it exists", async () => {
    const cwd = freshDir()
    const printed: string[] = []
    const logs: string[] = []
    const options = {
      port: 0,
      cwd,
      env: {},
      log: (line: string) => logs.push(line),
      print: (text: string) => printed.push(text),
    }

    await (await makeServer(options)).close()
    await (await makeServer(options)).close()

    expect(printed).toHaveLength(1)
    expect(printed[0]).toMatch(/tg-master-/)
    const notice = logs.find((l) => l.includes("master key exists")) ?? ""
    expect(notice).toContain("TOLLGATE_MASTER_KEY")
  })

  it("runs without the store when asked: completions work, usage is not served", async () => {
    const server = await makeServer({
      port: 0,
      cwd: freshDir(),
      env: { TOLLGATE_MASTER_KEY: "k" },
      log: false,
      store: false,
    })
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "k", maxRetries: 0 })
      const answer = await client.chat.completions.create({
        model: "gpt-4.1",
        messages: [{ role: "user", content: "hi" }],
      })
      expect(answer.choices[0]?.message.content).toBeTruthy()
      const usage = await fetch(`${server.url}/v1/usage`, {
        headers: { authorization: "Bearer k" },
      })
      expect(usage.status).toBe(404)
    } finally {
      await server.close()
    }
  })

  it("refuses to start when TOLLGATE_CONFIG names a file that does not exist", async () => {
    const path = join(freshDir(), "nonexistent.json")
    await expect(
      makeServer({
        port: 0,
        cwd: freshDir(),
        env: { TOLLGATE_MASTER_KEY: "k", TOLLGATE_CONFIG: path },
        log: false,
      }),
    ).rejects.toThrow(`${path}: no such file`)
  })

  it("exits 1 from `pnpm start` saying which named config file is missing", async () => {
    const path = join(freshDir(), "nonexistent.json")
    const run = promisify(execFile)(process.execPath, [join(import.meta.dirname, "main.ts")], {
      cwd: freshDir(),
      env: { ...process.env, INIT_CWD: freshDir(), TOLLGATE_CONFIG: path },
      timeout: 20_000,
    })
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`tollgate: ${path}: no such file`),
    })
  }, 30_000)

  it("refuses to start on an invalid config, naming the file and field", async () => {
    const cwd = freshDir()
    const path = join(cwd, "tollgate.config.json")
    writeFileSync(path, JSON.stringify({ server: { bodyLimit: "big" } }))

    await expect(
      makeServer({ port: 0, cwd, env: { TOLLGATE_MASTER_KEY: "k" }, log: false }),
    ).rejects.toThrow(`${path}: server.bodyLimit: expected number`)
  })
})
