import { Cause, type Layer, Logger, References } from "effect"

/** Where log lines go; tests collect them, `main.ts` writes them to stdout. */
export type LogSink = (line: string) => void

let pending: string[] = []

const flushPending = () => {
  const lines = pending
  pending = []
  if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`)
}

/**
 * Writes one JSON object per line to stdout, batched per turn of the event loop: a write to a
 * pipe is synchronous on Linux, and one write per request would sit on the hot path.
 */
export const stdoutSink: LogSink = (line) => {
  if (pending.length === 0) setImmediate(flushPending)
  pending.push(line)
}

/** Writes what is still batched; for shutdown, when no later turn of the loop will come. */
export const flushStdoutSink = (): void => flushPending()

const messageText = (message: unknown): string =>
  Array.isArray(message) ? message.map(String).join(" ") : String(message)

/**
 * A minimal JSON-lines logger: time, level, message, then the annotations flat (request id,
 * method, path, status, latency, model). Callers annotate; they never pass keys or bodies.
 */
export const jsonLogger = (sink: LogSink) =>
  Logger.make((options) => {
    const annotations = options.fiber.getRef(References.CurrentLogAnnotations)
    const failure = options.cause.reasons.length === 0 ? undefined : Cause.pretty(options.cause)
    sink(
      JSON.stringify({
        time: options.date.toISOString(),
        level: options.logLevel.toLowerCase(),
        msg: messageText(options.message),
        ...annotations,
        ...(failure === undefined ? {} : { cause: failure }),
      }),
    )
  })

/** Replaces Effect's default loggers with the JSON-lines one. */
export const jsonLoggerLayer = (sink: LogSink): Layer.Layer<never> =>
  Logger.layer([jsonLogger(sink)])
