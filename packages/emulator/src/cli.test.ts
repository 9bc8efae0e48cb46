import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"

const cli = fileURLToPath(new URL("./cli.ts", import.meta.url))
let child: ChildProcess | undefined

afterAll(() => {
  child?.kill("SIGTERM")
})

// Resolve with the first printed line that holds the URL:
const firstUrl = (process: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    let output = ""
    process.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1] !== undefined) resolve(match[1])
    })
    process.on("exit", (code) => reject(new Error(`cli exited with ${code}: ${output}`)))
  })

describe("emulator CLI", () => {
  it("prints its URL and serves chat completions there", async () => {
    child = spawn(process.execPath, [cli, "--port", "0", "--tokens", "4"], { stdio: "pipe" })
    const url = await firstUrl(child)
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }),
    })
    const body = (await response.json()) as { usage: { completion_tokens: number } }
    expect(body.usage.completion_tokens).toBe(4)
  })

  it("prints its help", async () => {
    const help = spawn(process.execPath, [cli, "--help"], { stdio: "pipe" })
    let output = ""
    help.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    await new Promise((resolve) => help.on("exit", resolve))
    expect(output).toContain("--ttft-ms")
  })
})
