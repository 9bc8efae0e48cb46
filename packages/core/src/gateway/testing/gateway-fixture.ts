import { type Effect, Layer } from "effect"
import { defaultPriceBook } from "../../accounting/index.ts"
import { defaultResilience } from "../../catalog/default-resilience.ts"
import type { Deployment, ModelInfo, ResiliencePolicy } from "../../catalog/types.ts"
import { Router } from "../../routing/router.ts"
import { type ChatContext, GatewayConfig } from "../api.ts"
import { admissionAllowAll, inMemoryLedger } from "../default-services.ts"
import { type FakeAnswer, fakeHttpClient, type SentRequest } from "./fake-http-client.ts"

/** An OpenAI-API deployment of the test model at `http://<name>.test/v1`. */
export const testDeployment = (name: string): Deployment => ({
  id: `gpt-4.1@${name}`,
  provider: name,
  api: "openai",
  upstreamModel: "gpt-4.1",
  baseUrl: `http://${name}.test/v1`,
  weight: 1,
  emulated: true,
})

/** `gpt-4.1` (priced in the default book) served by the named deployments, tried in order. */
export const testModel = (
  deployments: ReadonlyArray<string>,
  resilience: Partial<ResiliencePolicy> = {},
  extra: Partial<ModelInfo> = {},
): ModelInfo => ({
  id: "gpt-4.1",
  provider: "openai",
  family: "gpt-4.1",
  contextWindow: 1_047_576,
  maxOutputTokens: 32_768,
  defaultMaxTokens: 4_096,
  thinking: { kind: "none" },
  capabilities: { tools: true, vision: true, jsonSchema: true },
  deployments: deployments.map(testDeployment),
  fallbacks: [],
  routing: "least-busy",
  resilience: { ...defaultResilience, backoffBaseMs: 100, ...resilience },
  ...extra,
})

/** A request context arriving at time 0 of the TestClock. */
export const testContext = (overrides: Partial<ChatContext> = {}): ChatContext => ({
  requestId: "req-1",
  principal: { keyId: "key-1", isMaster: true },
  receivedAt: 0,
  speedHeader: false,
  ...overrides,
})

/** Everything `complete` and `stream` need, over a fake upstream answering with `respond`. */
export const gatewayFixture = (
  models: ReadonlyArray<ModelInfo>,
  respond: (request: SentRequest, index: number) => FakeAnswer | Effect.Effect<FakeAnswer>,
) => {
  const upstream = fakeHttpClient(respond)
  const ledger = inMemoryLedger()
  const config = Layer.succeed(GatewayConfig, {
    catalog: { models: new Map(models.map((m) => [m.id, m])) },
    prices: defaultPriceBook,
  })
  const layer = Layer.mergeAll(
    upstream.layer,
    ledger.layer,
    config,
    admissionAllowAll,
    Router.layer,
  )
  return { layer, sent: upstream.sent, entries: ledger.entries }
}

/** A completion body as an OpenAI-compatible upstream returns it. */
export const completionBody = (text = "Hello there.") => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4.1-2025-04-14",
  choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
  usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
})

/** One SSE `data:` line of a chunk. */
export const chunkLine = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4.1",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`

/** The SSE line of a final usage chunk. */
export const usageLine = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4.1",
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  })}\n\n`

/** An SSE response that sends `lines`, then either ends, errors (a cut) or hangs. */
export const sseThen = (lines: ReadonlyArray<string>, end: "done" | "cut" | "hang"): Response => {
  const encoder = new TextEncoder()
  const queue = [...lines, ...(end === "done" ? ["data: [DONE]\n\n"] : [])]
  // Pulled one line at a time, so the cut comes after the client read what preceded it:
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const line = queue.shift()
      if (line !== undefined) return controller.enqueue(encoder.encode(line))
      if (end === "done") return controller.close()
      if (end === "cut") return controller.error(new Error("socket hang up"))
      return new Promise<void>(() => {})
    },
  })
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } })
}
