import type { RunningServer } from "../../index.ts"
import { CLUSTER_MASTER_KEY } from "./gateway-cluster.ts"

/** An answer of the gateway: status, headers and the JSON body. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

/** A call to the gateway with `key` (the master key by default), over plain HTTP. */
export const call = async (
  server: RunningServer,
  method: string,
  path: string,
  options: { readonly key?: string; readonly body?: unknown } = {},
): Promise<Answer> => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? CLUSTER_MASTER_KEY}`,
      "content-type": "application/json",
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  return { status: response.status, headers: response.headers, body: await response.json() }
}

/** A key as `/admin/keys` shows it (the fields these tests read). */
export interface KeyJson {
  readonly id: string
  readonly name: string
  readonly allowed_models: ReadonlyArray<string> | null
  readonly default_max_tokens: number | null
  readonly max_tokens_ceiling: number | null
  readonly budget_usd: string | null
  readonly spent_usd: string
  readonly reserved_usd: string
  readonly credit_usd: string | null
  readonly rpm: number | null
  readonly tpm: number | null
}

/** A created (or rotated) key: its settings and the secret, shown this once. */
export interface CreatedKey extends KeyJson {
  readonly key: string
}

const expectStatus = (answer: Answer, status: number, what: string) => {
  if (answer.status !== status)
    throw new Error(
      `${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`,
    )
}

/** Creates a key through `POST /admin/keys` and returns it with its secret. */
export const createKey = async (
  server: RunningServer,
  settings: Readonly<Record<string, unknown>>,
): Promise<CreatedKey> => {
  const answer = await call(server, "POST", "/admin/keys", { body: settings })
  expectStatus(answer, 201, "create key")
  return answer.body as CreatedKey
}

/** Reads a key through `GET /admin/keys/:id`. */
export const getKey = async (server: RunningServer, id: string): Promise<KeyJson> => {
  const answer = await call(server, "GET", `/admin/keys/${id}`)
  expectStatus(answer, 200, "get key")
  return answer.body as KeyJson
}

/** A USD decimal string as nano-USD, exactly. */
export const nanoUsd = (usd: string): bigint => {
  const [whole = "0", fraction = ""] = usd.split(".")
  return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9) || "0")
}

/** Nano-USD as the decimal string the admin API accepts (9 decimals). */
export const usdOf = (nano: bigint): string =>
  `${nano / 1_000_000_000n}.${(nano % 1_000_000_000n).toString().padStart(9, "0")}`
