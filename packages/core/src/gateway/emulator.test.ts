import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { type Emulator, type RecordedRequest, startEmulator } from "@tollgate/emulator"
import { Effect, Exit, Fiber, Layer, Stream } from "effect"
import { defaultPriceBook } from "../accounting/index.ts"
import type { Deployment, ModelInfo } from "../catalog/types.ts"
import { Router } from "../routing/router.ts"
import { GatewayConfig } from "./api.ts"
import { complete } from "./complete.ts"
import { admissionAllowAll, inMemoryLedger } from "./default-services.ts"
import { toErrorResponse } from "./error-response.ts"
import { stream } from "./stream.ts"
import { testContext, testModel } from "./testing/gateway-fixture.ts"

let emu: Emulator
let slow: Emulator

beforeAll(async () => {
  emu = await startEmulator({ port: 0 })
  slow = await startEmulator({ port: 0, tokensPerSecond: 40, defaultTokens: 400 })
})
afterAll(async () => {
  await emu.close()
  await slow.close()
})
beforeEach(() => {
  emu.reset()
  slow.reset()
})

const at = (upstream: Emulator, name: string): Deployment => ({
  id: `gpt-4.1@${name}`,
  provider: "openai",
  api: "openai",
  upstreamModel: "gpt-4.1",
  baseUrl: upstream.openaiBaseUrl,
  weight: 1,
  emulated: true,
})

const layerFor = (model: ModelInfo) => {
  const ledger = inMemoryLedger()
  const config = Layer.succeed(GatewayConfig, {
    catalog: { models: new Map([[model.id, model]]) },
    prices: defaultPriceBook,
  })
  const layer = Layer.mergeAll(
    NodeHttpClient.layerUndici,
    ledger.layer,
    config,
    admissionAllowAll,
    Router.layer,
  )
  return { layer, entries: ledger.entries }
}

const model = (deployments: ReadonlyArray<Deployment>, resilience = {}): ModelInfo => ({
  ...testModel([], { backoffBaseMs: 50, ...resilience }),
  deployments,
})

const body = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  messages: [{ role: "user", content: "Tell me about tollgates." }],
  ...extra,
})

/** The emulator records the outcome when the connection ends; wait for it, boundedly. */
const settled = (upstream: Emulator, index: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      const record: RecordedRequest | undefined = upstream.requests[index]
      if (record !== undefined && record.outcome !== "in-flight") return record
      yield* Effect.sleep(5)
    }
    return upstream.requests[index]
  })

describe("gateway against the emulator", () => {
  it.live("retries a 503 with Retry-After, then succeeds", () => {
    emu.enqueueFault({ kind: "status", status: 503, retryAfterSeconds: 1 }, { times: 1 })
    const fx = layerFor(model([at(emu, "emu")]))
    return Effect.gen(function* () {
      const started = Date.now()
      const outcome = yield* complete(body(), testContext({ receivedAt: started }))
      assert.isString(outcome.response.choices[0]?.message.content)
      assert.strictEqual(emu.requests.length, 2)
      assert.isAtLeast(Date.now() - started, 1_000)
      assert.isAbove(outcome.response.usage?.cost ?? 0, 0)
    }).pipe(Effect.provide(fx.layer))
  })

  it.live("does not retry a 400", () => {
    emu.enqueueFault({ kind: "status", status: 400, message: "bad" }, { times: 1 })
    const fx = layerFor(model([at(emu, "a"), at(emu, "b")]))
    return Effect.gen(function* () {
      const exit = yield* Effect.exit(complete(body(), testContext({ receivedAt: Date.now() })))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual(emu.requests.length, 1)
      assert.strictEqual(fx.entries[0]?.status, 400)
    }).pipe(Effect.provide(fx.layer))
  })

  it.live("ends a stall in a 504 within the deadline and closes the upstream call", () => {
    emu.enqueueFault({ kind: "stall" }, { times: 5 })
    const fx = layerFor(model([at(emu, "emu")]))
    return Effect.gen(function* () {
      const started = Date.now()
      const exit = yield* Effect.exit(
        complete(body(), testContext({ receivedAt: started, timeoutMs: 400 })),
      )
      const elapsed = Date.now() - started
      const failure = Exit.isFailure(exit)
        ? exit.cause.reasons.find((r) => r._tag === "Fail")
        : undefined
      assert.strictEqual(failure?._tag === "Fail" ? toErrorResponse(failure.error).status : 0, 504)
      assert.isBelow(elapsed, 400 + 300)
      assert.strictEqual((yield* settled(emu, 0))?.outcome, "client-closed")
    }).pipe(Effect.provide(fx.layer))
  })

  it.live("ends a stream cut after its first chunks with an Error event, no fallback", () => {
    emu.enqueueFault({ kind: "cut", afterChunks: 3 }, { times: 1 })
    const fx = layerFor(model([at(emu, "a"), at(emu, "b")]))
    return Effect.gen(function* () {
      const opened = yield* stream(
        body({ stream: true, fallbacks: false }),
        testContext({ receivedAt: Date.now() }),
      )
      const events = yield* Stream.runCollect(opened.events)
      assert.strictEqual(events.at(-1)?._tag, "Error")
      assert.isAbove(events.filter((e) => e._tag === "Chunk").length, 0)
      assert.strictEqual(emu.requests.length, 1)
    }).pipe(Effect.provide(fx.layer))
  })

  it.live("streams with a final usage chunk carrying the cost", () => {
    const fx = layerFor(model([at(emu, "emu")]))
    return Effect.gen(function* () {
      const opened = yield* stream(
        body({ stream: true, stream_options: { include_usage: true } }),
        testContext({ receivedAt: Date.now() }),
      )
      const events = yield* Stream.runCollect(opened.events)
      const last = events.at(-1)
      const usage = last?._tag === "Chunk" ? last.chunk.usage : undefined
      assert.isAbove(usage?.cost ?? 0, 0)
      assert.strictEqual(Number(fx.entries[0]?.costNanoUsd) / 1e9, usage?.cost)
    }).pipe(Effect.provide(fx.layer))
  })

  it.live("aborts the upstream stream when the client stops reading", () => {
    const fx = layerFor(model([at(slow, "slow")]))
    return Effect.gen(function* () {
      const opened = yield* stream(body({ stream: true }), testContext({ receivedAt: Date.now() }))
      yield* Stream.runCollect(Stream.take(opened.events, 2))
      assert.strictEqual((yield* settled(slow, 0))?.outcome, "client-closed")
      assert.strictEqual(fx.entries[0]?.status, 499)
    }).pipe(Effect.provide(fx.layer))
  })

  it.live("aborts the upstream call when a waiting completion is interrupted", () => {
    emu.enqueueFault({ kind: "stall" }, { times: 1 })
    const fx = layerFor(model([at(emu, "emu")]))
    return Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        complete(body(), testContext({ receivedAt: Date.now() })),
      )
      for (let i = 0; i < 200 && emu.requests.length === 0; i++) yield* Effect.sleep(5)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* settled(emu, 0))?.outcome, "client-closed")
      assert.strictEqual(fx.entries[0]?.status, 499)
    }).pipe(Effect.provide(fx.layer))
  })
})
