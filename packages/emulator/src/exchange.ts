import type { IncomingMessage, ServerResponse } from "node:http"
import type { Fault, RecordedRequest } from "./types.ts"

/** Per-request speed and length, from the options with `x-emulator-*` headers overriding. */
export type Settings = {
  ttftMs: number
  tokensPerSecond: number
  naturalTokens: number
  /** Prompt tokens to report as read from a cache (`x-emulator-cached-tokens`). */
  cachedTokens: number
  /** Prompt tokens to report as written to a cache (`x-emulator-cache-write-tokens`). */
  cacheWriteTokens: number
}

/** An error answer in some API's own shape. */
export type ErrorReply = { status: number; headers?: Record<string, string>; body: unknown }

/** One SSE event already in wire form, with the generated tokens it carries (for pacing). */
export type Frame = { data: string; tokens: number }

/** One request being answered: its response, record, settings and model. */
export type Exchange = {
  req: IncomingMessage
  res: ServerResponse
  record: RecordedRequest
  settings: Settings
  /** The model the answer names: the requested one without its `~fault` suffix. */
  model: string
  fault: Fault | undefined
  /** True once the client went away. */
  readonly closed: boolean
  /** Resolve true after `ms`, or false as soon as the client goes away. */
  wait: (ms: number) => Promise<boolean>
  /** Destroy the socket on purpose (reset, cut): recorded as a fault, not a client close. */
  destroy: () => void
  sendJson: (status: number, body: unknown, headers?: Record<string, string>) => void
  sendError: (reply: ErrorReply) => void
}

/** Wire up an exchange: the close listener that records client-closed, and the helpers. */
export const makeExchange = (
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
  settings: Settings,
): Exchange => {
  const closeListeners = new Set<() => void>()
  let closed = false

  res.on("finish", () => {
    record.endedAt = Date.now()
    record.status = res.statusCode
    if (record.outcome === "in-flight") {
      const faulted = record.fault !== undefined && record.fault.kind !== "delay"
      record.outcome = faulted ? "fault" : "completed"
    }
  })

  res.on("close", () => {
    closed = true
    if (!res.writableFinished && record.outcome === "in-flight") {
      record.outcome = "client-closed"
      record.endedAt = Date.now()
    }
    for (const listener of closeListeners) listener()
    closeListeners.clear()
  })

  const exchange: Exchange = {
    req,
    res,
    record,
    settings,
    model: "",
    fault: undefined,
    get closed() {
      return closed
    },
    wait: (ms) => {
      if (closed) return Promise.resolve(false)
      if (ms <= 0) return Promise.resolve(true)
      return new Promise((resolve) => {
        const onClose = () => {
          clearTimeout(timer)
          resolve(false)
        }
        const timer = setTimeout(() => {
          closeListeners.delete(onClose)
          resolve(true)
        }, ms)
        closeListeners.add(onClose)
      })
    },
    destroy: () => {
      if (record.outcome === "in-flight") record.outcome = "fault"
      record.endedAt = Date.now()
      if (res.headersSent) record.status = res.statusCode
      res.socket?.destroy()
      res.destroy()
    },
    sendJson: (status, body, headers) => {
      if (closed) return
      const text = JSON.stringify(body)
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        ...headers,
      })
      res.end(text)
    },
    sendError: (reply) => exchange.sendJson(reply.status, reply.body, reply.headers),
  }
  return exchange
}

const writeAndFlush = (res: ServerResponse, data: string): Promise<void> =>
  new Promise((resolve) => {
    res.write(data, () => resolve())
  })

/** How a stream ends early: destroyed after N frames, or an error event after N frames. */
export type StreamEnding =
  | { kind: "complete" }
  | { kind: "cut"; afterFrames: number }
  | { kind: "error"; afterFrames: number; frame: string }

/**
 * Send SSE frames paced like a model: the first content after the time to first token, then
 * one frame per `tokens / tokensPerSecond`. At instant speed the frames go out in one write.
 */
export const sendStream = async (
  exchange: Exchange,
  headers: Record<string, string>,
  frames: ReadonlyArray<Frame>,
  ending: StreamEnding,
): Promise<void> => {
  const { res, settings } = exchange
  if (!(await exchange.wait(settings.ttftMs))) return

  // A cut always loses something, so it happens before the last frame at the latest:
  const stopAt =
    ending.kind === "complete"
      ? frames.length
      : Math.min(ending.afterFrames, ending.kind === "cut" ? frames.length - 1 : frames.length)

  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", ...headers })

  // At instant speed headers, frames and the end go out together, as one packet when they fit:
  if (settings.tokensPerSecond <= 0) {
    let body = ""
    for (let i = 0; i < stopAt; i++) body += frames[i]?.data ?? ""
    if (ending.kind === "complete") return void res.end(body)
    if (ending.kind === "error") return void res.end(body + ending.frame)
    if (body !== "") await writeAndFlush(res, body)
  } else {
    let contentSeen = false
    for (let i = 0; i < stopAt; i++) {
      const frame = frames[i]
      if (frame === undefined) break
      if (contentSeen && frame.tokens > 0) {
        if (!(await exchange.wait((frame.tokens * 1000) / settings.tokensPerSecond))) return
      }
      if (frame.tokens > 0) contentSeen = true
      await writeAndFlush(res, frame.data)
      if (exchange.closed) return
    }
  }

  if (ending.kind === "cut") return exchange.destroy()
  if (ending.kind === "error") res.write(ending.frame)
  res.end()
}

/** Wait as long as generating the whole answer would take, for a non-streamed reply. */
export const waitForWholeAnswer = (exchange: Exchange, outputTokens: number): Promise<boolean> => {
  const { ttftMs, tokensPerSecond } = exchange.settings
  const generation = tokensPerSecond > 0 ? (outputTokens * 1000) / tokensPerSecond : 0
  return exchange.wait(ttftMs + generation)
}

/** Send a non-streamed body cut short: its first half, then a destroyed socket. */
export const sendCutJson = async (exchange: Exchange, body: unknown): Promise<void> => {
  const text = JSON.stringify(body)
  exchange.res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  })
  await writeAndFlush(exchange.res, text.slice(0, Math.floor(text.length / 2)))
  exchange.destroy()
}
