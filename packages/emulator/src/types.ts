import type { IncomingHttpHeaders } from "node:http"

/** A failure the emulator injects into one request, in the shape of the API that was called. */
export type Fault =
  | { kind: "status"; status: number; retryAfterSeconds?: number; message?: string }
  | { kind: "rate-limit"; retryAfterSeconds: number }
  | { kind: "quota" }
  | { kind: "overloaded" }
  | { kind: "reset" }
  | { kind: "stall" }
  | { kind: "cut"; afterChunks: number }
  | { kind: "delay"; ms: number }
  | { kind: "blocked" }
  | { kind: "malformed-tool-call" }
  | { kind: "stream-error"; afterChunks: number }

/** The wire format a request arrived in. */
export type Api = "openai" | "gemini" | "anthropic"

/** How a recorded request ended; `in-flight` until the emulator or the client finishes it. */
export type Outcome = "completed" | "fault" | "client-closed" | "in-flight"

/** One request as the emulator received it, updated in place as it completes. */
export type RecordedRequest = {
  api: Api
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** The parsed JSON body (undefined for GET or an unparsable body). */
  body: unknown
  /** The model as sent, fault suffix included (`gpt-4.1~status=503`). */
  model: string | undefined
  stream: boolean
  outcome: Outcome
  /** The fault applied to this request, whichever mechanism chose it. */
  fault: Fault | undefined
  /** HTTP status sent, once headers went out. */
  status: number | undefined
  /** Epoch milliseconds when the request arrived and when it ended. */
  receivedAt: number
  endedAt: number | undefined
}

/** Seeded random faults, each a probability per request (they are tried in this order). */
export type RandomProfile = {
  seed?: number
  status5xx?: number
  status429?: number
  reset?: number
  stall?: number
  slow?: { probability: number; delayMs: number }
  /** Retry-After of the random 429s, in seconds (default 1). */
  retryAfterSeconds?: number
}

/** Options of `startEmulator`; every one is optional. */
export type EmulatorOptions = {
  port?: number
  host?: string
  /** Time to first token in milliseconds (default 0). */
  ttftMs?: number
  /** Generation speed; 0 means instant (default 0). */
  tokensPerSecond?: number
  /** Answer length when neither max tokens nor `x-emulator-tokens` says otherwise (default 16). */
  defaultTokens?: number
  random?: RandomProfile
  /**
   * Most requests kept in `requests` (default 50,000); past it the oldest half is dropped, so a
   * long benchmark does not grow without bound. 0 records nothing.
   */
  maxRecords?: number
  /** Model ids listed by `GET /v1/models` (any model is accepted for completions). */
  models?: ReadonlyArray<string>
}

/** Selects which requests a queued fault applies to. */
export type FaultTarget = { model?: string; times?: number }

/** A running emulator. */
export type Emulator = {
  url: string
  port: number
  openaiBaseUrl: string
  geminiBaseUrl: string
  anthropicBaseUrl: string
  readonly requests: RecordedRequest[]
  enqueueFault: (fault: Fault, target?: FaultTarget) => void
  /** Replace the random fault profile (undefined turns it off). */
  setRandom: (random: RandomProfile | undefined) => void
  reset: () => void
  close: () => Promise<void>
}
