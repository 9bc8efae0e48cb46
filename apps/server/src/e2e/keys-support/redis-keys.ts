import { randomBytes } from "node:crypto"
import { connect } from "node:net"

/** The Redis the tests use; `TOLLGATE_TEST_REDIS_URL` overrides the local default. */
export const TEST_REDIS_URL = process.env.TOLLGATE_TEST_REDIS_URL ?? "redis://127.0.0.1:6379"

/** A Redis key prefix no other run shares, so runs never see each other's counters. */
export const uniqueRedisPrefix = (): string => `tollgate-e2e:${randomBytes(6).toString("hex")}:`

const command = (words: ReadonlyArray<string>): string =>
  `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join("")}`

/** Bulk strings of a RESP array answer (`KEYS`), or [] for any other answer. */
const bulkStrings = (answer: string): ReadonlyArray<string> => {
  if (!answer.startsWith("*")) return []
  const lines = answer.split("\r\n")
  return lines.filter((_, i) => i > 1 && lines[i - 1]?.startsWith("$"))
}

/**
 * Sends one command over a fresh connection and returns the raw answer. Enough RESP for the
 * tests' two commands (KEYS, DEL): the server package has no Redis client of its own.
 */
const send = (words: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    const url = new URL(TEST_REDIS_URL)
    const socket = connect(Number(url.port || 6379), url.hostname)
    let answer = ""
    const complete = () => {
      if (!answer.startsWith("*")) return answer.endsWith("\r\n")
      const count = Number(answer.slice(1, answer.indexOf("\r\n")))
      // The header, a length line and a value per key, and what follows the last CRLF:
      return answer.split("\r\n").length >= 2 + 2 * Math.max(count, 0)
    }
    socket.setTimeout(2_000, () => socket.destroy(new Error("Redis did not answer")))
    socket.on("error", reject)
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8")
      if (complete()) {
        socket.end()
        resolve(answer)
      }
    })
    socket.write(command(words))
  })

/** Every Redis key under `prefix`. */
export const redisKeys = async (prefix: string): Promise<ReadonlyArray<string>> =>
  bulkStrings(await send(["KEYS", `${prefix}*`]))

/** Deletes every Redis key under `prefix` (the counters would expire anyway, in 2 minutes). */
export const deleteRedisKeys = async (prefix: string): Promise<void> => {
  const keys = await redisKeys(prefix)
  if (keys.length > 0) await send(["DEL", ...keys])
}

/**
 * Whether the Redis suites run: they do when Redis answers PING; when it does not, CI fails
 * (throws) and a local run skips with a message.
 */
export const redisOrSkip = async (): Promise<boolean> => {
  const answer = await send(["PING"]).catch(() => "")
  if (answer.startsWith("+PONG")) return true
  const message = `Redis is not reachable at ${TEST_REDIS_URL}`
  if (process.env.CI === "true") throw new Error(`${message} (required in CI)`)
  console.warn(`${message}: skipping the Redis tests`)
  return false
}
