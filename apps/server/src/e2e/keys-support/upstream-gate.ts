import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A proxy between the gateways and the emulator that can hold every upstream call until the
 * test releases them: admitted requests then stay in flight (their reservations held) until
 * every refusal is in, so "at most N admitted" does not depend on how fast settlements land.
 */
export interface UpstreamGate {
  /** Give this to the gateways as their emulator URL. */
  readonly url: string
  /** Upstream calls that arrived (held or passed) since the last `reset`. */
  readonly arrived: () => number
  /** Calls waiting for `release`. */
  readonly held: () => number
  /** From now on, hold every call until `release`. */
  readonly hold: () => void
  /** Sends every held call on and stops holding. */
  readonly release: () => void
  /** Forgets the counts (and releases anything held). */
  readonly reset: () => void
  readonly close: () => Promise<void>
}

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}

const forward = async (target: string, request: IncomingMessage, response: ServerResponse) => {
  const body = await readBody(request)
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string" && name !== "host" && name !== "content-length")
      headers.set(name, value)
  }
  const method = request.method ?? "GET"
  const answer = await fetch(`${target}${request.url ?? "/"}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body }),
  })

  // The body is read whole, so transfer encodings of the emulator's answer do not apply:
  const bytes = Buffer.from(await answer.arrayBuffer())
  const out: Record<string, string> = {}
  answer.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "transfer-encoding" && name !== "content-encoding")
      out[name] = value
  })
  response.writeHead(answer.status, out)
  response.end(bytes)
}

/** Starts a gate on an ephemeral port in front of `target` (the emulator's root URL). */
export const startUpstreamGate = async (target: string): Promise<UpstreamGate> => {
  let holding = false
  let arrived = 0
  let waiting: Array<() => void> = []

  const server = createServer((request, response) => {
    arrived += 1
    const go = () => {
      forward(target, request, response).catch(() => {
        if (!response.headersSent) response.writeHead(502)
        response.end()
      })
    }
    if (holding) waiting.push(go)
    else go()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  const release = () => {
    holding = false
    const go = waiting
    waiting = []
    for (const send of go) send()
  }

  return {
    url: `http://127.0.0.1:${port}`,
    arrived: () => arrived,
    held: () => waiting.length,
    hold: () => {
      holding = true
    },
    release,
    reset: () => {
      release()
      arrived = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        release()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
