import type OpenAI from "openai"
import { costOf, toNano } from "./money.ts"

/** Models of the load, one per wire API the gateway speaks upstream (OpenAI-compatible twice). */
export const loadModels = ["gemini-2.5-flash", "claude-sonnet-4.5", "gpt-4.1", "deepseek-v3.2"]

/** What one client received: its request id, and the cost its response reported. */
export interface Received {
  readonly requestId: string
  readonly model: string
  readonly stream: boolean
  readonly costNano: bigint
}

/**
 * Sends request number `i` of a mixed load: odd ones stream with `include_usage`, even ones do
 * not stream; the model and the answer length vary with `i`. Resolves to what the client
 * received once the whole response (the last chunk, for a stream) reached it, with the ledger's
 * request id from `x-request-id` (the gateway's own id when the client sent none).
 */
export const sendMixed = async (
  client: OpenAI,
  i: number,
  signal?: AbortSignal,
): Promise<Received> => {
  const model = loadModels[i % loadModels.length] ?? "gpt-4.1"
  const body = {
    model,
    messages: [{ role: "user" as const, content: `Request ${i}: tell me something.` }],
    max_tokens: 4 + (i % 13),
  }
  const options = signal ? { signal } : {}
  if (i % 2 === 0) {
    const { data, response } = await client.chat.completions.create(body, options).withResponse()
    const requestId = requestIdOf(response)
    return { requestId, model, stream: false, costNano: reportedNano(data.usage, requestId) }
  }
  const { data: stream, response } = await client.chat.completions
    .create({ ...body, stream: true, stream_options: { include_usage: true } }, options)
    .withResponse()
  const requestId = requestIdOf(response)
  let usage: unknown
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage
  return { requestId, model, stream: true, costNano: reportedNano(usage, requestId) }
}

/** The id the gateway answered with; the ledger's row is keyed by it. */
export const requestIdOf = (response: Response): string => {
  const id = response.headers.get("x-request-id")
  if (id === null) throw new Error("the response carried no x-request-id")
  return id
}

const reportedNano = (usage: unknown, requestId: string): bigint => {
  const cost = costOf(usage)
  if (cost === undefined) throw new Error(`${requestId}: the response carried no usage.cost`)
  return toNano(cost)
}

/** Runs `task(i)` for i in [0, count) with at most `limit` in flight; settles every one. */
export const runBounded = async <A>(
  count: number,
  limit: number,
  task: (i: number) => Promise<A>,
): Promise<Array<PromiseSettledResult<A>>> => {
  const results: Array<PromiseSettledResult<A>> = new Array(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const i = next++
      try {
        results[i] = { status: "fulfilled", value: await task(i) }
      } catch (reason) {
        results[i] = { status: "rejected", reason }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
  return results
}
