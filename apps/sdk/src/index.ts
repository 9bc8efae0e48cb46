import OpenAI, { type ClientOptions } from "openai"

export * from "openai"
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
} from "openai/resources/chat/completions"
export { OpenAI }
export default OpenAI

/** Gateway-only request fields: fallback models, the fallback switch and speed mode. */
export interface TollgateRequestExtras {
  /** Models to try in order after `model` fails (OpenRouter's `models`). */
  models?: string[]
  /** `false` turns every fallback off for this request. */
  fallbacks?: boolean
  /** `thinking_mode: "speed"` asks for the least thinking the model accepts. */
  generation_config?: {
    thinking_mode?: "speed" | "default" | "quality"
    response_modality?: string
  }
}

// Teach the openai types the gateway's extras, so callers need no casts.
declare module "openai/resources/chat/completions/completions" {
  interface ChatCompletionCreateParamsBase extends TollgateRequestExtras {}
}
declare module "openai/resources/completions" {
  interface CompletionUsage {
    /** What the request cost at list price, in USD (Tollgate). */
    cost?: number
  }
}

/** Options of `createClient`, on top of the `openai` client's own. */
export interface TollgateClientOptions extends ClientOptions {
  /** Gateway URL; defaults to `TOLLGATE_BASE_URL`, then `http://127.0.0.1:8080/v1`. */
  baseURL?: string
  /** Gateway key; defaults to `TOLLGATE_API_KEY`. */
  apiKey?: string
}

/**
 * Retries: the gateway already retries and falls back inside its own deadline, so the client
 * retries only once (for a lost connection to the gateway itself), not multiplying the wait.
 */
export const GATEWAY_MAX_RETRIES = 1

/** A little above the gateway's default 60 s deadline, so the gateway's 504 arrives first. */
export const GATEWAY_TIMEOUT_MS = 75_000

const withV1 = (url: string): string => {
  const trimmed = url.replace(/\/+$/, "")
  return trimmed.endsWith("/v1") ? trimmed : `${trimmed}/v1`
}

/** An `openai` client pointed at Tollgate, reading `TOLLGATE_BASE_URL` and `TOLLGATE_API_KEY`. */
export const createClient = (options: TollgateClientOptions = {}): OpenAI => {
  const baseURL = options.baseURL ?? process.env.TOLLGATE_BASE_URL ?? "http://127.0.0.1:8080"
  const apiKey = options.apiKey ?? process.env.TOLLGATE_API_KEY
  if (apiKey === undefined || apiKey === "") {
    throw new Error("No Tollgate key: pass apiKey or set TOLLGATE_API_KEY")
  }
  return new OpenAI({
    maxRetries: GATEWAY_MAX_RETRIES,
    timeout: GATEWAY_TIMEOUT_MS,
    ...options,
    apiKey,
    baseURL: withV1(baseURL),
  })
}
