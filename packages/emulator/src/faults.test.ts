import OpenAI, { APIConnectionError, APIError } from "openai"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { startEmulator } from "./server.ts"
import type { Emulator, RecordedRequest } from "./types.ts"

let emu: Emulator
let client: OpenAI

beforeAll(async () => {
  emu = await startEmulator()
  client = new OpenAI({ baseURL: emu.openaiBaseUrl, apiKey: "sk-test", maxRetries: 0 })
})
afterAll(() => emu.close())
beforeEach(() => emu.reset())

const chat = (model: string, headers: Record<string, string> = {}, stream = false) =>
  fetch(`${emu.openaiBaseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hello" }] }),
  })

// Poll the record until the emulator has seen the request end (bounded, no fixed sleep):
const settled = async (index: number): Promise<RecordedRequest | undefined> => {
  for (let i = 0; i < 200; i++) {
    const record = emu.requests[index]
    if (record !== undefined && record.outcome !== "in-flight") return record
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return emu.requests[index]
}

describe("fault selection", () => {
  it("takes a fault from the x-emulator-fault header", async () => {
    const response = await chat("gpt-4.1", { "x-emulator-fault": "status=502" })
    expect(response.status).toBe(502)
    expect(emu.requests[0]?.fault).toEqual({ kind: "status", status: 502 })
  })

  it("takes a fault from the model-name suffix and answers with the bare model", async () => {
    expect((await chat("gpt-4.1~status=500")).status).toBe(500)
    const answer = await chat("gpt-4.1~delay=1")
    expect(((await answer.json()) as { model: string }).model).toBe("gpt-4.1")
    expect(emu.requests[1]).toMatchObject({ model: "gpt-4.1~delay=1", outcome: "completed" })
  })

  it("applies queued faults to the next matching requests only, `times` times", async () => {
    emu.enqueueFault(
      { kind: "status", status: 503, retryAfterSeconds: 1 },
      { model: "gpt-4.1", times: 2 },
    )
    const other = await chat("gpt-4o-mini")
    const first = await chat("gpt-4.1")
    const second = await chat("gpt-4.1")
    const third = await chat("gpt-4.1")
    expect([other.status, first.status, second.status, third.status]).toEqual([200, 503, 503, 200])
    expect(first.headers.get("retry-after")).toBe("1")
  })

  it("lets the header win over a queued fault", async () => {
    emu.enqueueFault({ kind: "quota" })
    expect((await chat("gpt-4.1", { "x-emulator-fault": "status=418" })).status).toBe(418)
    expect((await chat("gpt-4.1")).status).toBe(429)
  })

  it("answers an unreadable fault spec with a 400", async () => {
    const response = await chat("gpt-4.1", { "x-emulator-fault": "explode" })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error" } })
  })

  it("forgets queued faults and the random profile on reset()", async () => {
    emu.enqueueFault({ kind: "quota" })
    emu.setRandom({ status5xx: 1 })
    emu.reset()
    expect((await chat("gpt-4.1")).status).toBe(200)
    expect(emu.requests).toHaveLength(1)
  })
})

describe("random fault profile", () => {
  const statuses = async (target: Emulator, count: number) => {
    const seen: number[] = []
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${target.openaiBaseUrl}/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] }),
      })
      await response.arrayBuffer()
      seen.push(response.status)
    }
    return seen
  }

  it("draws the same faults from the same seed, near the configured rates", async () => {
    const profile = { seed: 42, status5xx: 0.3, status429: 0.2 }
    const a = await startEmulator({ random: profile })
    const b = await startEmulator({ random: profile })
    try {
      const first = await statuses(a, 100)
      expect(await statuses(b, 100)).toEqual(first)
      const errors = first.filter((s) => s >= 500).length
      const limited = first.filter((s) => s === 429).length
      expect(errors).toBeGreaterThan(15)
      expect(errors).toBeLessThan(45)
      expect(limited).toBeGreaterThan(8)
      expect(limited).toBeLessThan(32)
      expect(a.requests.filter((r) => r.fault?.kind === "rate-limit")).toHaveLength(limited)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})

describe("connection faults", () => {
  it("resets the connection without an answer", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-4.1~reset", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIConnectionError)
    expect((await settled(0))?.outcome).toBe("fault")
  })

  it("stalls until the client gives up, recorded as client-closed", async () => {
    const controller = new AbortController()
    const pending = client.chat.completions
      .create(
        { model: "gpt-4.1", messages: [{ role: "user", content: "x" }] },
        { headers: { "x-emulator-fault": "stall" }, signal: controller.signal },
      )
      .catch((e: unknown) => e)
    for (let i = 0; i < 200 && emu.requests[0]?.fault === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(emu.requests[0]).toMatchObject({ outcome: "in-flight", fault: { kind: "stall" } })
    controller.abort()
    await pending
    expect((await settled(0))?.outcome).toBe("client-closed")
  })

  it("records a client that aborts a slow stream as client-closed", async () => {
    const stream = await client.chat.completions.create(
      { model: "gpt-4.1", messages: [{ role: "user", content: "x" }], stream: true },
      { headers: { "x-emulator-tps": "50", "x-emulator-tokens": "500" } },
    )
    let chunks = 0
    for await (const _chunk of stream) if (++chunks === 3) break
    expect((await settled(0))?.outcome).toBe("client-closed")
  })

  it("cuts a stream after N chunks: the client gets them, then a broken connection", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4.1~cut=3",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    })
    const seen: unknown[] = []
    const error = await (async () => {
      for await (const chunk of stream) seen.push(chunk)
    })().catch((e: unknown) => e)
    expect(seen).toHaveLength(3)
    expect(error).toBeInstanceOf(Error)
    expect((await settled(0))?.outcome).toBe("fault")
  })

  it("cuts a non-streamed body halfway", async () => {
    const response = await chat("gpt-4.1~cut=1")
    await expect(response.text()).rejects.toThrow()
  })

  it("holds the first token back for the requested time to first token", async () => {
    const started = Date.now()
    const response = await chat("gpt-4.1", { "x-emulator-ttft-ms": "120" }, true)
    const reader = response.body?.getReader()
    await reader?.read()
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
    await reader?.cancel()
  })

  it("answers a status fault through the client as an APIError", async () => {
    emu.enqueueFault({ kind: "overloaded" })
    const error = await client.chat.completions
      .create({ model: "gpt-4.1", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(503)
  })
})

describe("recording", () => {
  it("keeps at most maxRecords requests, the latest ones", async () => {
    const small = await startEmulator({ maxRecords: 4 })
    try {
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${small.openaiBaseUrl}/models/gpt-${i}`)
        await response.arrayBuffer()
      }
      expect(small.requests.map((r) => r.path)).toEqual(
        [2, 3, 4, 5].map((i) => `/v1/models/gpt-${i}`),
      )
    } finally {
      await small.close()
    }
  })
})
