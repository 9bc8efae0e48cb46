import OpenAI from "openai"
import type { RunningServer } from "../../index.ts"

/** A small request to `gpt-4.1` whose worst case is known. */
export const HI = {
  model: "gpt-4.1",
  messages: [{ role: "user" as const, content: "hi" }],
  max_tokens: 16,
}

/** The status of one chat completion with `key` on `server` (200 when it answered). */
export const chatStatus = (server: RunningServer, key: string): Promise<number> =>
  new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions
    .create(HI)
    .then(
      () => 200,
      (error: unknown) => (error instanceof OpenAI.APIError ? (error.status ?? 0) : 0),
    )
