/**
 * The upstream of every benchmark target, in its own process: the emulator answering at once
 * (no time to first token, instant tokens), optionally with a heavy tail of slow answers.
 * Usage: node emulator-child.ts <port> [slowProbability slowDelayMs]
 */
import { startEmulator } from "@tollgate/emulator"

const [port = "0", slowProbability, slowDelayMs] = process.argv.slice(2)
const slow =
  slowProbability === undefined
    ? undefined
    : { probability: Number(slowProbability), delayMs: Number(slowDelayMs ?? "2000") }

const emulator = await startEmulator({
  port: Number(port),
  host: "127.0.0.1",
  ttftMs: 0,
  tokensPerSecond: 0,
  // A benchmark sends hundreds of thousands of requests; recording them would only cost memory.
  maxRecords: 0,
  ...(slow === undefined ? {} : { random: { seed: 7, slow } }),
})
process.stdout.write(`ready ${emulator.url}\n`)

const stop = () => void emulator.close().finally(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
