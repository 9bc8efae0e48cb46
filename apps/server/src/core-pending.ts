/**
 * TEMPORARY stand-ins for core functions that other helpers are still writing
 * (packages/core/src/gateway, catalog, accounting). Delete this file when they land and import
 * the real ones from `@tollgate/core` instead; nothing else in the server defines core logic.
 * The request path here is a bare pass-through (no retries, no fallbacks, OpenAI API only).
 */

import {
  Admission,
  type Catalog,
  ChatCompletion,
  ChatCompletionChunk,
  type ChatContext,
  ChatRequest,
  type CompleteOutcome,
  type Deployment,
  type ErrorBody,
  GatewayConfig,
  GatewayError,
  Ledger,
  type ModelInfo,
  RequestError,
  type ResiliencePolicy,
  type RoutingStrategy,
  reasonFromStatus,
  type StreamEvent,
  type StreamOutcome,
  type UpstreamApi,
} from "@tollgate/core"
import { Effect, Layer, Option, Redacted, Stream } from "effect"
import { Sse } from "effect/encoding"
import { HttpClient, HttpClientRequest } from "effect/http"

/** TEMPORARY mirror of core's catalog/catalog-from-config.ts types. */
export interface DeploymentConfig {
  readonly provider: string
  readonly api?: UpstreamApi
  readonly upstreamModel?: string
  readonly baseUrl?: string
  readonly apiKey?: string | Redacted.Redacted<string>
  readonly weight?: number
}

/** TEMPORARY mirror of core's `ModelConfig`. */
export interface ModelConfig {
  readonly id: string
  readonly provider?: string
  readonly contextWindow?: number
  readonly maxOutputTokens?: number
  readonly deployments?: ReadonlyArray<DeploymentConfig>
  readonly fallbacks?: ReadonlyArray<string>
  readonly routing?: RoutingStrategy
  readonly resilience?: Partial<ResiliencePolicy>
}

/** TEMPORARY mirror of core's `CatalogConfig`. */
export interface CatalogConfig {
  readonly models?: ReadonlyArray<ModelConfig>
  readonly resilience?: Partial<ResiliencePolicy>
}

/** TEMPORARY mirror of core's `DefaultCatalogOptions`. */
export interface DefaultCatalogOptions {
  readonly keys?: Readonly<Record<string, Redacted.Redacted<string> | undefined>>
  readonly emulatorUrl: string
}

const resilience: ResiliencePolicy = {
  deadlineMs: 60_000,
  attemptTimeoutMs: 30_000,
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  maxRetries: 2,
  backoffBaseMs: 250,
}

const defaults: ReadonlyArray<readonly [id: string, provider: string, baseUrl: string]> = [
  ["gemini-3.1-flash", "google", "https://generativelanguage.googleapis.com/v1beta/openai"],
  ["gemini-2.5-flash", "google", "https://generativelanguage.googleapis.com/v1beta/openai"],
  ["gemini-2.5-pro", "google", "https://generativelanguage.googleapis.com/v1beta/openai"],
  ["deepseek-v3.2", "deepseek", "https://api.deepseek.com/v1"],
  ["claude-sonnet-4.5", "anthropic", "https://api.anthropic.com/v1"],
  ["gpt-4.1", "openai", "https://api.openai.com/v1"],
]

const model = (id: string, provider: string, deployments: ReadonlyArray<Deployment>) => ({
  id,
  provider,
  family: id,
  contextWindow: 128_000,
  maxOutputTokens: 8_192,
  defaultMaxTokens: 4_096,
  thinking: { kind: "none" } as const,
  capabilities: { tools: true, vision: true, jsonSchema: true },
  deployments,
  fallbacks: [],
  routing: "weighted" as const,
  resilience,
})

/** TEMPORARY: the six default models (OpenAI API only), emulated where no key is set. */
export const catalogFromConfig = (
  config: CatalogConfig,
  options: DefaultCatalogOptions,
): Catalog => {
  const models = new Map<string, ModelInfo>()
  for (const [id, provider, baseUrl] of defaults) {
    const key = options.keys?.[provider]
    const emulated = key === undefined
    models.set(
      id,
      model(id, provider, [
        {
          id: `${id}@${provider}`,
          provider,
          api: "openai",
          upstreamModel: id,
          baseUrl: emulated ? `${options.emulatorUrl}/v1` : baseUrl,
          ...(key === undefined ? {} : { apiKey: key }),
          weight: 1,
          emulated,
        },
      ]),
    )
  }
  for (const entry of config.models ?? []) {
    const base = models.get(entry.id) ?? model(entry.id, entry.provider ?? "openai", [])
    const deployments = entry.deployments?.map((d, i) => ({
      id: `${entry.id}@${d.provider}#${i}`,
      provider: d.provider,
      api: d.api ?? "openai",
      upstreamModel: d.upstreamModel ?? entry.id,
      baseUrl: d.baseUrl ?? `${options.emulatorUrl}/v1`,
      ...(typeof d.apiKey === "object" ? { apiKey: d.apiKey } : {}),
      weight: d.weight ?? 1,
      emulated: d.baseUrl === undefined && d.apiKey === undefined,
    }))
    models.set(entry.id, {
      ...base,
      deployments: deployments ?? base.deployments,
      fallbacks: entry.fallbacks ?? base.fallbacks,
      resilience: { ...base.resilience, ...config.resilience, ...entry.resilience },
    })
  }
  return { models }
}

/** TEMPORARY: exact id, case-insensitive id, or an unambiguous `provider/model`. */
export const findModel = (catalog: Catalog, id: string): ModelInfo | undefined => {
  const exact = catalog.models.get(id)
  if (exact !== undefined) return exact
  const rest = id.includes("/") ? id.slice(id.indexOf("/") + 1) : id
  return [...catalog.models.values()].find((m) => m.id.toLowerCase() === rest.toLowerCase())
}

/** TEMPORARY: 404 for an unknown model with crude suggestions. */
export const modelNotFound = (catalog: Catalog, id: string): RequestError => {
  const stem = id.replace(/^.*\//, "").slice(0, 6).toLowerCase()
  const close = [...catalog.models.keys()].filter((known) => known.startsWith(stem)).slice(0, 3)
  const hint = close.length > 0 ? ` Did you mean ${close.join(", ")}?` : ""
  return new RequestError({
    status: 404,
    message: `The model \`${id}\` does not exist.${hint}`,
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
  })
}

/** TEMPORARY: status, body and headers for any failure of the request path. */
export const toErrorResponse = (
  error: GatewayError | RequestError,
): { status: number; body: ErrorBody; headers: Record<string, string> } => {
  if (error._tag === "RequestError") {
    return {
      status: error.status,
      body: {
        error: { message: error.message, type: error.type, param: error.param, code: error.code },
      },
      headers: { ...error.headers },
    }
  }
  const timeout = error.reason._tag === "Timeout"
  return {
    status: timeout ? 504 : 502,
    body: {
      error: {
        message: error.message,
        type: "upstream_error",
        param: null,
        code: timeout ? "timeout" : "upstream_error",
      },
    },
    headers: {},
  }
}

/** TEMPORARY: no-op ledger and admission so the server runs before the store lands. */
export const defaultCoreLayers = Layer.mergeAll(
  Layer.succeed(Ledger)({
    record: () => Effect.void,
    flush: Effect.void,
    usage: () => Effect.succeed([]),
  }),
  Layer.succeed(Admission)({
    admit: () => Effect.succeed({ id: "none", headers: {} }),
    settle: () => Effect.void,
  }),
)

const parseRequest = (body: unknown) => {
  const parsed = ChatRequest.safeParse(body)
  if (parsed.success) return Effect.succeed(parsed.data)
  const issue = parsed.error.issues[0]
  const param = issue === undefined ? null : issue.path.map(String).join(".")
  return Effect.fail(
    new RequestError({
      status: 400,
      message: `Invalid request: ${param ?? "body"}: ${issue?.message ?? "invalid"}`,
      type: "invalid_request_error",
      code: null,
      param,
    }),
  )
}

const prepare = (body: unknown, stream: boolean) =>
  Effect.gen(function* () {
    const request = yield* parseRequest(body)
    const { catalog } = yield* GatewayConfig
    const model = findModel(catalog, request.model)
    if (model === undefined) return yield* modelNotFound(catalog, request.model)
    const deployment = model.deployments[0]
    if (deployment === undefined) return yield* modelNotFound(catalog, request.model)
    const upstreamBody = {
      ...request,
      model: deployment.upstreamModel,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    }
    const http = yield* HttpClient.HttpClient
    const response = yield* http
      .execute(
        HttpClientRequest.post(`${deployment.baseUrl}/chat/completions`).pipe(
          HttpClientRequest.bodyJsonUnsafe(upstreamBody),
          HttpClientRequest.bearerToken(
            Option.getOrElse(Option.fromNullishOr(deployment.apiKey), () => Redacted.make("")),
          ),
        ),
      )
      .pipe(
        Effect.mapError(
          () => new GatewayError({ reason: { _tag: "Network" }, message: "network" }),
        ),
      )
    if (response.status >= 300) {
      return yield* new GatewayError({
        reason: reasonFromStatus(response.status),
        message: `upstream answered ${response.status}`,
        status: response.status,
      })
    }
    return { response, model: request.model }
  })

/** TEMPORARY: non-streaming pass-through. */
export const complete = (body: unknown, _ctx: ChatContext) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { response, model } = yield* prepare(body, false)
      const json = yield* response.json.pipe(
        Effect.mapError(
          () => new GatewayError({ reason: { _tag: "InvalidOutput" }, message: "bad JSON" }),
        ),
      )
      const completion = ChatCompletion.parse(json)
      const outcome: CompleteOutcome = { response: { ...completion, model }, headers: {} }
      return outcome
    }),
  )

/** TEMPORARY: streaming pass-through; the upstream request lives in the caller's scope. */
export const stream = (body: unknown, _ctx: ChatContext) =>
  Effect.gen(function* () {
    const { response, model } = yield* prepare(body, true)
    const events: Stream.Stream<StreamEvent> = response.stream.pipe(
      Stream.decodeText(),
      Stream.pipeThroughChannel(Sse.decode()),
      Stream.takeWhile((event) => event.data !== "[DONE]"),
      Stream.map(
        (event): StreamEvent => ({
          _tag: "Chunk",
          chunk: { ...ChatCompletionChunk.parse(JSON.parse(event.data)), model },
        }),
      ),
      Stream.catchCause(() =>
        Stream.succeed<StreamEvent>({
          _tag: "Error",
          body: {
            error: { message: "stream failed", type: "upstream_error", param: null, code: null },
          },
        }),
      ),
    )
    const outcome: StreamOutcome = { headers: {}, events }
    return outcome
  })
