#!/usr/bin/env node
import { parseArgs } from "node:util"
import { startEmulator } from "./server.ts"
import type { RandomProfile } from "./types.ts"

const usage = `Usage: node packages/emulator/src/cli.ts [options]

Starts the Tollgate upstream emulator (OpenAI, Gemini and Anthropic wire formats).

Options:
  --port <n>          port to listen on (default 9100; 0 picks a free one)
  --host <addr>       address to bind (default 127.0.0.1)
  --ttft-ms <ms>      time to first token (default 0)
  --tps <n>           tokens per second, 0 = instant (default 0)
  --tokens <n>        answer length when the request does not ask (default 16)
  --seed <n>          seed of the random fault profile (default 1)
  --random-5xx <p>    probability of a 500/502/503 per request
  --random-429 <p>    probability of a 429 with Retry-After: 1
  --random-reset <p>  probability of a connection reset
  --random-stall <p>  probability of a request that never answers
  -h, --help          show this help

Per request: headers x-emulator-fault, x-emulator-ttft-ms, x-emulator-tps, x-emulator-tokens,
or a model suffix such as gpt-4.1~status=503.`

const number = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (!Number.isFinite(parsed) || parsed < 0) {
    console.error(`--${name} expects a non-negative number, got "${value}"`)
    process.exit(2)
  }
  return parsed
}

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    "ttft-ms": { type: "string" },
    tps: { type: "string" },
    tokens: { type: "string" },
    seed: { type: "string" },
    "random-5xx": { type: "string" },
    "random-429": { type: "string" },
    "random-reset": { type: "string" },
    "random-stall": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
})

if (values.help === true) {
  console.log(usage)
  process.exit(0)
}

const random: RandomProfile = {
  seed: number(values.seed, "seed") ?? 1,
  status5xx: number(values["random-5xx"], "random-5xx"),
  status429: number(values["random-429"], "random-429"),
  reset: number(values["random-reset"], "random-reset"),
  stall: number(values["random-stall"], "random-stall"),
}
const anyRandom = [random.status5xx, random.status429, random.reset, random.stall].some(
  (p) => p !== undefined && p > 0,
)

const emulator = await startEmulator({
  port: number(values.port, "port") ?? 9100,
  host: values.host ?? "127.0.0.1",
  ttftMs: number(values["ttft-ms"], "ttft-ms") ?? 0,
  tokensPerSecond: number(values.tps, "tps") ?? 0,
  defaultTokens: number(values.tokens, "tokens") ?? 16,
  ...(anyRandom ? { random } : {}),
})

console.log(`Emulator listening on ${emulator.url}`)
console.log(`  OpenAI     ${emulator.openaiBaseUrl}`)
console.log(`  Gemini     ${emulator.geminiBaseUrl}`)
console.log(`  Anthropic  ${emulator.anthropicBaseUrl}`)

const stop = () => {
  emulator.close().then(() => process.exit(0))
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
