import { Cause, type Layer, Logger, References } from "effect"

/** Where log lines go; tests collect them, `main.ts` writes them to stdout. */
export type LogSink = (line: string) => void

/** Writes one JSON object per line to stdout. */
export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`)
}

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
