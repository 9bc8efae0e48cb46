import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type Emulator, type RecordedRequest, startEmulator } from "@tollgate/emulator"
import OpenAI, { APIError } from "openai"
import { makeServer, type RunningServer } from "../index.ts"

/** The master key the end-to-end servers run with; the client's API key. */
export const MASTER_KEY = "tg-e2e-master-key"

/** A server in front of an emulator, and an `openai` client pointed at the server. */
export interface E2e {
  readonly emulator: Emulator
  readonly server: RunningServer
  readonly client: OpenAI
  readonly close: () => Promise<void>
}

/**
 * Starts an instant emulator (no time to first token, no token pacing) and the server on port 0
 * in front of it, with no provider keys, so every default model is served by that emulator.
 */
export const startE2e = async (): Promise<E2e> => {
  const emulator = await startEmulator({ port: 0, ttftMs: 0, tokensPerSecond: 0 })
  const server = await makeServer({
    port: 0,
    cwd: mkdtempSync(join(tmpdir(), "tollgate-e2e-")),
    emulatorUrl: emulator.url,
    env: { TOLLGATE_MASTER_KEY: MASTER_KEY },
    log: false,
    shutdownGraceMs: 200,
  })
  // No client retries: every retry the emulator sees is the gateway's own.
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 })
  return {
    emulator,
    server,
    client,
    close: async () => {
      await server.close()
      await emulator.close()
    },
  }
}

/** A default catalog model, the wire API it is served over and its name upstream. */
export interface ModelCase {
  readonly model: string
  readonly api: "gemini" | "anthropic" | "openai"
  readonly upstream: string
}

/** Every default catalog model, by the path it takes through the gateway. */
export const modelCases: ReadonlyArray<ModelCase> = [
  { model: "gemini-3.1-flash", api: "gemini", upstream: "gemini-3.1-flash" },
  { model: "gemini-2.5-flash", api: "gemini", upstream: "gemini-2.5-flash" },
  { model: "gemini-2.5-pro", api: "gemini", upstream: "gemini-2.5-pro" },
  { model: "claude-sonnet-4.5", api: "anthropic", upstream: "claude-sonnet-4-5" },
  { model: "gpt-4.1", api: "openai", upstream: "gpt-4.1" },
  { model: "deepseek-v3.2", api: "openai", upstream: "deepseek-chat" },
]

/** The error a call failed with, as the `openai` client reports it. */
export const apiError = async (call: Promise<unknown>): Promise<APIError> => {
  try {
    await call
  } catch (error) {
    if (error instanceof APIError) return error
    throw error
  }
  throw new Error("expected the call to fail")
}

/** A JSON object as recorded by the emulator, or an empty one for anything else. */
export type JsonObject = { readonly [key: string]: unknown }

/** `value` as an object, `{}` when it is not one (so a missing field fails its assertion). */
export const asObject = (value: unknown): JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {}

/** `value` as an array, `[]` when it is not one. */
export const asArray = (value: unknown): ReadonlyArray<unknown> =>
  Array.isArray(value) ? value : []

/** The recorded request at `index`, failing loudly when the emulator saw fewer. */
export const recorded = (emulator: Emulator, index: number): RecordedRequest => {
  const request = emulator.requests[index]
  if (request === undefined)
    throw new Error(`the emulator saw ${emulator.requests.length} requests, wanted #${index}`)
  return request
}

/** The body of the recorded request at `index`, as an object. */
export const bodyOf = (emulator: Emulator, index: number): JsonObject =>
  asObject(recorded(emulator, index).body)

/** Every part of every Gemini `contents` entry of a recorded request body, in order. */
export const geminiParts = (body: JsonObject): ReadonlyArray<JsonObject> =>
  asArray(body.contents).flatMap((content) => asArray(asObject(content).parts).map(asObject))

/** Every content block of every Anthropic message of a recorded request body, in order. */
export const anthropicBlocks = (body: JsonObject): ReadonlyArray<JsonObject> =>
  asArray(body.messages)
    .flatMap((message) => {
      const content = asObject(message).content
      return typeof content === "string" ? [{ type: "text", text: content }] : asArray(content)
    })
    .map(asObject)

/** A 1x1 transparent PNG, base64. */
export const PIXEL_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

/** A weather tool with one required string argument. */
export const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    },
  },
}
