import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { anthropicError } from "./anthropic/anthropic-errors.ts"
import { anthropicWire } from "./anthropic/anthropic-wire.ts"
import { makeFaultChooser } from "./choose-fault.ts"
import { makeExchange, type Settings } from "./exchange.ts"
import { geminiError } from "./gemini/gemini-errors.ts"
import { geminiWire } from "./gemini/gemini-wire.ts"
import { openaiError } from "./openai/openai-errors.ts"
import { answerModels, defaultModels } from "./openai/openai-models.ts"
import { openaiWire } from "./openai/openai-wire.ts"
import { serveChat } from "./serve-chat.ts"
import { settingsFromHeaders } from "./settings-from-headers.ts"
import type { Api, Emulator, EmulatorOptions, RecordedRequest } from "./types.ts"

const readBody = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("error", reject)
    req.on("end", () => {
      if (chunks.length === 0) return resolve(undefined)
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))
      } catch {
        resolve(invalidJson)
      }
    })
  })

// A marker for a body that was not JSON; each wire format rejects it in its own shape:
const invalidJson = Symbol("invalid JSON")

const apiOf = (path: string): Api => {
  if (path === "/v1/messages") return "anthropic"
  if (/^\/v1(beta|alpha)?\/models\/[^/]+:/.test(path)) return "gemini"
  return "openai"
}

/**
 * Start an emulator of the OpenAI, Gemini and Anthropic APIs on a plain `node:http` server.
 * `port: 0` (the default) picks a free port; `close()` ends every connection, stalls included.
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const requests: RecordedRequest[] = []
  const chooser = makeFaultChooser(options.random)
  const models = options.models ?? defaultModels
  const maxRecords = options.maxRecords ?? 50_000
  const defaults: Settings = {
    ttftMs: options.ttftMs ?? 0,
    tokensPerSecond: options.tokensPerSecond ?? 0,
    naturalTokens: options.defaultTokens ?? 16,
    cachedTokens: 0,
    cacheWriteTokens: 0,
  }

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/"
    const queryAt = url.indexOf("?")
    const path = queryAt < 0 ? url : url.slice(0, queryAt)
    const method = req.method ?? "GET"
    const body = method === "GET" || method === "HEAD" ? undefined : await readBody(req)

    const record: RecordedRequest = {
      api: apiOf(path),
      method,
      path: url,
      headers: req.headers,
      body: body === invalidJson ? undefined : body,
      model: undefined,
      stream: false,
      outcome: "in-flight",
      fault: undefined,
      status: undefined,
      receivedAt: Date.now(),
      endedAt: undefined,
    }
    if (maxRecords > 0) {
      if (requests.length >= maxRecords) requests.splice(0, Math.ceil(maxRecords / 2))
      requests.push(record)
    }
    const exchange = makeExchange(req, res, record, settingsFromHeaders(req.headers, defaults))

    if (method === "POST" && path === "/v1/chat/completions") {
      if (body === invalidJson) return exchange.sendError(openaiError(400, "Invalid JSON body."))
      return serveChat(exchange, body, openaiWire, chooser)
    }
    if (method === "GET" && path === "/v1/models") return answerModels(exchange, models)
    if (method === "GET" && path.startsWith("/v1/models/")) {
      return answerModels(exchange, models, decodeURIComponent(path.slice("/v1/models/".length)))
    }
    if (method === "POST" && path === "/v1/messages") {
      if (body === invalidJson) return exchange.sendError(anthropicError(400, "Invalid JSON body."))
      return serveChat(exchange, body, anthropicWire, chooser)
    }
    if (method === "POST" && record.api === "gemini") {
      if (body === invalidJson)
        return exchange.sendError(geminiError(400, "Invalid JSON payload received."))
      return serveChat(exchange, body, geminiWire, chooser)
    }
    exchange.sendError(
      openaiError(404, `Unknown request URL: ${method} ${path}.`, { code: "unknown_url" }),
    )
  }

  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy()
      const message = error instanceof Error ? error.message : String(error)
      const text = JSON.stringify(openaiError(500, `Emulator failure: ${message}`).body)
      res.writeHead(500, { "content-type": "application/json" }).end(text)
    })
  })
  server.keepAliveTimeout = 30_000

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? "127.0.0.1"
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

  return {
    url,
    port,
    openaiBaseUrl: `${url}/v1`,
    geminiBaseUrl: `${url}/v1beta`,
    anthropicBaseUrl: `${url}/v1`,
    requests,
    enqueueFault: chooser.enqueue,
    setRandom: chooser.setRandom,
    reset: () => {
      requests.length = 0
      chooser.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
