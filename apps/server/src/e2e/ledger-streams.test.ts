import { countTextTokens } from "@tollgate/core"
import { type Emulator, startEmulator } from "@tollgate/emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { asObject } from "./e2e-harness.ts"
import { EMULATOR_KEY_ENV } from "./ledger-support/emulator-config.ts"
import { type LedgerGateway, startLedgerGateway } from "./ledger-support/ledger-gateway.ts"
import { requestIdOf } from "./ledger-support/mixed-load.ts"
import { costOf, decimalToNano, toNano } from "./ledger-support/money.ts"
import { type LedgerRow, readLedger } from "./ledger-support/read-ledger.ts"

// 20 tokens a second: a 200-token answer takes 10 s, so a client leaves well before its end.
let slow: Emulator
let gateway: LedgerGateway

/**
 * Slow models, one per upstream API, each with an operator price whose nano-USD per token is a
 * whole number: $X per million tokens is X * 1,000 nano-USD per token.
 */
const slowModels = [
  { id: "slow-gpt", api: "openai", input: 2_000n, output: 8_000n },
  { id: "slow-claude", api: "anthropic", input: 3_000n, output: 15_000n },
  { id: "slow-gemini", api: "gemini", input: 300n, output: 2_500n },
] as const

const slowConfig = () => ({
  models: {
    "slow-gpt": {
      provider: "openai",
      deployments: [
        {
          provider: "openai",
          upstreamModel: "gpt-4.1",
          baseUrl: slow.openaiBaseUrl,
          keyEnv: EMULATOR_KEY_ENV,
        },
      ],
    },
    "slow-claude": {
      provider: "anthropic",
      deployments: [
        {
          provider: "anthropic",
          upstreamModel: "claude-sonnet-4-5",
          baseUrl: slow.anthropicBaseUrl,
          keyEnv: EMULATOR_KEY_ENV,
        },
      ],
    },
    "slow-gemini": {
      provider: "google",
      deployments: [
        {
          provider: "google",
          upstreamModel: "gemini-2.5-flash",
          baseUrl: slow.geminiBaseUrl,
          keyEnv: EMULATOR_KEY_ENV,
        },
      ],
    },
  },
  prices: {
    "slow-gpt": { input: "2", output: "8" },
    "slow-claude": { input: "3", output: "15" },
    "slow-gemini": { input: "0.3", output: "2.5" },
  },
})

beforeAll(async () => {
  slow = await startEmulator({ port: 0, ttftMs: 0, tokensPerSecond: 20 })
  const started = await startLedgerGateway({
    dialect: "sqlite",
    config: slowConfig,
    env: { [EMULATOR_KEY_ENV]: "emulator-key" },
  })
  if (started === undefined) throw new Error("the SQLite store did not open")
  gateway = started
})

afterAll(async () => {
  await gateway?.close()
  await slow?.close()
})

/** The ledger row of `requestId`, once the background writer committed it. */
const rowOf = async (requestId: string): Promise<LedgerRow> => {
  for (let i = 0; i < 100; i++) {
    const row = (await readLedger(gateway.database)).find((r) => r.requestId === requestId)
    if (row !== undefined) return row
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`no ledger row for ${requestId}`)
}

/** How the slow emulator's request number `index` ended, once it did. */
const upstreamOutcome = async (index: number): Promise<string | undefined> => {
  for (let i = 0; i < 100; i++) {
    const outcome = slow.requests[index]?.outcome
    if (outcome !== undefined && outcome !== "in-flight") return outcome
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return slow.requests[index]?.outcome
}

const question = (model: string) => ({
  model,
  messages: [{ role: "user" as const, content: "Describe the river at dawn." }],
  max_tokens: 12,
})

describe("a client that leaves mid-stream", () => {
  it.each(slowModels)(
    "is billed for what $api produced before it left",
    async (model) => {
      const controller = new AbortController()
      const upstreamIndex = slow.requests.length
      const { data: stream, response } = await gateway.client.chat.completions
        .create(
          // Room for Gemini's thinking, which counts against the cap, and for an answer after it:
          { ...question(model.id), max_tokens: 1000, stream: true },
          { signal: controller.signal },
        )
        .withResponse()
      const requestId = requestIdOf(response)

      let received = ""
      let chunks = 0
      try {
        for await (const chunk of stream) {
          received += chunk.choices[0]?.delta.content ?? ""
          if (received !== "" && ++chunks === 3) controller.abort()
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error
      }
      expect(chunks).toBe(3)

      const row = await rowOf(requestId)
      expect(row.status).toBe(499)
      expect(row.model).toBe(model.id)
      // What was produced: at least what the client saw, far less than the 1000 it asked for.
      expect(row.completionTokens).toBeGreaterThanOrEqual(countTextTokens(received))
      expect(row.completionTokens).toBeLessThan(1000)
      expect(row.promptTokens).toBeGreaterThan(0)
      // The provider reports output tokens only at the end of a stream: counted by our tokenizer.
      expect(row.estimated).toBe(true)
      const cost =
        BigInt(row.promptTokens) * model.input + BigInt(row.completionTokens) * model.output
      expect(row.costNanoUsd).toBe(cost)
      expect(row.costNanoUsd).toBeGreaterThan(0n)

      // The gateway let go of the upstream too, not only of the client.
      expect(await upstreamOutcome(upstreamIndex)).toBe("client-closed")
    },
    15_000,
  )
})

const defaultModels = ["gemini-2.5-flash", "claude-sonnet-4.5", "gpt-4.1", "deepseek-v3.2"]

/** Streams `body`, returning the text, every usage chunk and the gateway's request id. */
const streamed = async (body: ReturnType<typeof question>, includeUsage: boolean) => {
  const { data: stream, response } = await gateway.client.chat.completions
    .create({
      ...body,
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    })
    .withResponse()
  let text = ""
  const usages: Array<unknown> = []
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? ""
    if (chunk.usage != null) usages.push(chunk.usage)
  }
  return { text, usages, requestId: requestIdOf(response) }
}

describe("a stream and a non-stream of the same completion", () => {
  it.each(defaultModels)("cost the same on %s, to the client and in the ledger", async (model) => {
    const { data: answer, response } = await gateway.client.chat.completions
      .create(question(model))
      .withResponse()
    const whole = costOf(answer.usage)
    expect(whole).toBeGreaterThan(0)
    // The header carries the exact decimal; the JSON number rounds to the same nano-USD.
    const header = response.headers.get("x-tollgate-cost-usd") ?? ""
    expect(decimalToNano(header)).toBe(toNano(whole ?? 0))

    const stream = await streamed(question(model), true)
    expect(stream.text).toBe(answer.choices[0]?.message.content)
    expect(stream.usages).toHaveLength(1)
    const streamCost = costOf(stream.usages[0])
    expect(streamCost).toBe(whole)

    const rows = [await rowOf(requestIdOf(response)), await rowOf(stream.requestId)]
    expect(rows.map((row) => row.costNanoUsd)).toEqual([toNano(whole ?? 0), toNano(whole ?? 0)])
    expect(rows.map((row) => row.completionTokens)).toEqual([
      answer.usage?.completion_tokens,
      answer.usage?.completion_tokens,
    ])
    expect(rows.map((row) => row.estimated)).toEqual([false, false])
  })
})

describe("usage of a stream", () => {
  it.each(["gpt-4.1", "deepseek-v3.2"])(
    "is asked of the %s upstream even when the client did not ask for it",
    async (model) => {
      const upstreamIndex = gateway.emulator.requests.length
      const stream = await streamed(question(model), false)
      expect(stream.text).not.toBe("")
      // The client gets no usage chunk it did not ask for...
      expect(stream.usages).toEqual([])
      // ...while the gateway asked the upstream for one, and billed from it (not estimated).
      const upstream = asObject(gateway.emulator.requests[upstreamIndex]?.body)
      expect(upstream.stream).toBe(true)
      expect(asObject(upstream.stream_options).include_usage).toBe(true)
      const row = await rowOf(stream.requestId)
      expect(row.estimated).toBe(false)
      expect(row.costNanoUsd).toBeGreaterThan(0n)

      // The same stream with include_usage: exactly one usage chunk, with the cost billed.
      const withUsage = await streamed(question(model), true)
      expect(withUsage.usages).toHaveLength(1)
      const cost = costOf(withUsage.usages[0])
      expect(cost).toBeGreaterThan(0)
      expect(toNano(cost ?? 0)).toBe(row.costNanoUsd)
      expect((await rowOf(withUsage.requestId)).costNanoUsd).toBe(row.costNanoUsd)
    },
  )
})
