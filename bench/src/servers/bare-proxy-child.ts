/**
 * The floor: a pass-through proxy with no logic at all, Node's HTTP server in front of an undici
 * pool, body and answer streamed through untouched.
 * Usage: node bare-proxy-child.ts <port> <upstream>
 */
import { createServer } from "node:http"
import { pipeline } from "node:stream/promises"
import { Pool } from "undici"

const [port = "0", upstream = "http://127.0.0.1:9100"] = process.argv.slice(2)
const pool = new Pool(upstream, { connections: 128, pipelining: 1 })

// Hop-by-hop headers belong to one connection and are not forwarded (RFC 9110 7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "upgrade"])

const server = createServer(async (req, res) => {
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
  )
  try {
    const answer = await pool.request({
      path: req.url ?? "/",
      method: req.method === "POST" ? "POST" : "GET",
      headers,
      body: req.method === "POST" ? req : null,
    })
    const out = Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name))
    res.writeHead(answer.statusCode, Object.fromEntries(out))
    await pipeline(answer.body, res)
  } catch {
    if (!res.headersSent) res.writeHead(502)
    res.end()
  }
})

server.keepAliveTimeout = 65_000
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"))
const stop = () => server.close(() => void pool.close().finally(() => process.exit(0)))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
