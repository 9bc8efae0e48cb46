import { readRecorded } from "@tollgate/emulator/shared-fixtures"
import { Effect, Layer, Redacted } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import type { Deployment, ModelInfo } from "../../catalog/types.ts"
import { ChatRequest } from "../../openai/chat-schemas.ts"
import type { AdapterCall, RequestControls } from "../adapter.ts"

/**
 * Test support for the Anthropic adapter: a fake upstream that records what it was sent, a Claude
 * model, and recorded streams rebuilt as SSE. For tests only.
 */

/** What the fake upstream received. */
export interface SentRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: unknown
}

/** An `HttpClient` layer answering every request with `respond(...)`, recording each request. */
export const fakeAnthropic = (respond: (sent: SentRequest) => Response) => {
  const sent: Array<SentRequest> = []
  const client = HttpClient.make((request, url) =>
    Effect.sync(() => {
      const body = request.body
      const text = body._tag === "Uint8Array" ? new TextDecoder().decode(body.body) : undefined
      const seen = {
        url: url.toString(),
        headers: { ...request.headers },
        body: text === undefined ? undefined : (JSON.parse(text) as unknown),
      }
      sent.push(seen)
      return HttpClientResponse.fromWeb(request, respond(seen))
    }),
  )
  return { layer: Layer.succeed(HttpClient.HttpClient, client), sent }
}

/** A JSON answer. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  })

/** An SSE answer with the given wire text. */
export const sse = (text: string): Response =>
  new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } })

/** Anthropic's wire form of event objects: each named by its own `type`. */
export const toSse = (events: ReadonlyArray<string>) =>
  events
    .map((line) => {
      const type = (JSON.parse(line) as { type?: string }).type ?? "message"
      return `event: ${type}\ndata: ${line}\n\n`
    })
    .join("")

/** A recorded `anthropic/*.chunks.txt` as the SSE body Anthropic sent. */
export const recordedAnthropicSse = (name: string) =>
  toSse(
    readRecorded(`anthropic/${name}.chunks.txt`)
      .split("\n")
      .filter((line) => line.trim() !== ""),
  )

/** The deployment the fake stands behind. */
export const deployment: Deployment = {
  id: "claude-sonnet-4.5@test",
  provider: "anthropic",
  api: "anthropic",
  upstreamModel: "claude-sonnet-4-5-20250929",
  baseUrl: "https://api.anthropic.test/v1",
  apiKey: Redacted.make("sk-ant-test"),
  weight: 1,
  emulated: false,
}

/** A Claude model as the catalog describes one. */
export const claude: ModelInfo = {
  id: "claude-sonnet-4.5",
  provider: "anthropic",
  family: "claude-4.5",
  contextWindow: 200_000,
  maxOutputTokens: 64_000,
  defaultMaxTokens: 8_192,
  thinking: { kind: "budget", min: 1_024, max: 63_999 },
  capabilities: { tools: true, vision: true, jsonSchema: true },
  deployments: [deployment],
  fallbacks: [],
  routing: "weighted",
  resilience: {
    deadlineMs: 60_000,
    attemptTimeoutMs: 30_000,
    firstTokenTimeoutMs: 10_000,
    idleTimeoutMs: 10_000,
    maxRetries: 2,
    backoffBaseMs: 200,
  },
}

/** One adapter call for a request body (parsed as the gateway would) and controls. */
export const callFor = (
  body: Record<string, unknown>,
  controls: Partial<RequestControls> = {},
  model: ModelInfo = claude,
): AdapterCall => ({
  request: ChatRequest.parse({
    model: "claude-sonnet-4.5",
    messages: [{ role: "user", content: "Hello" }],
    ...body,
  }),
  model,
  deployment,
  controls: { speed: false, includeReasoning: false, ...controls },
})
