import { parseArgs } from "node:util"

/** Targets of the main run, in table order. */
export const TARGETS = ["direct", "bare", "tollgate", "portkey"] as const
export type TargetName = (typeof TARGETS)[number]

/** Everything `pnpm bench` can be told. */
export interface BenchOptions {
  readonly durationSeconds: number
  readonly warmupSeconds: number
  readonly connections: number
  /** Duration of the streaming run; 0 skips it. */
  readonly streamSeconds: number
  readonly targets: ReadonlyArray<TargetName>
  readonly hedging: boolean
  /** Threshold of the hedged run (ms without a first token before the second attempt). */
  readonly hedgeAfterMs: number
  /** Where the report goes; undefined prints only. */
  readonly out: string | undefined
}

export const USAGE = `Usage: pnpm bench [options]

Measures requests per second and p50/p99 latency of chat completions against an emulator that
answers at once: direct, through a bare undici proxy (the floor), through Tollgate and through
the Portkey gateway. Each server runs in its own process; all traffic stays on 127.0.0.1.

Options:
  --duration <s>      measured seconds per target (default 10)
  --warmup <s>        warm-up seconds per target, not measured (default 2)
  --connections <n>   concurrent connections (default 32)
  --stream <s>        seconds of the streaming run per target; 0 skips it (default 5)
  --targets <list>    comma-separated subset of ${TARGETS.join(",")} (default all)
  --hedging           instead: a deployment with a heavy tail (10% of answers 2 s late),
                      Tollgate's p99 without and with hedging (issue 6)
  --hedge-after <ms>  hedging threshold of the hedged run (default 200)
  --no-write          print the tables without updating BENCHMARKS.md
  -h, --help          show this help`

const positive = (text: string | undefined, fallback: number, name: string): number => {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} expects a number >= 0`)
  return value
}

/** Parses the command line; throws with a message naming the bad option. */
export const parseOptions = (argv: ReadonlyArray<string>, defaultOut: string) => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      stream: { type: "string" },
      targets: { type: "string" },
      hedging: { type: "boolean" },
      "hedge-after": { type: "string" },
      "no-write": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  })
  if (values.help === true) return "help" as const

  const targets = (values.targets ?? TARGETS.join(",")).split(",").map((t) => t.trim())
  const unknown = targets.filter((t) => !(TARGETS as ReadonlyArray<string>).includes(t))
  if (unknown.length > 0) throw new Error(`--targets: unknown ${unknown.join(", ")}`)

  const options: BenchOptions = {
    durationSeconds: Math.max(1, positive(values.duration, 10, "duration")),
    warmupSeconds: positive(values.warmup, 2, "warmup"),
    connections: Math.max(1, Math.round(positive(values.connections, 32, "connections"))),
    streamSeconds: positive(values.stream, 5, "stream"),
    targets: TARGETS.filter((t) => targets.includes(t)),
    hedging: values.hedging === true,
    hedgeAfterMs: positive(values["hedge-after"], 200, "hedge-after"),
    out: values["no-write"] === true ? undefined : defaultOut,
  }
  return options
}
