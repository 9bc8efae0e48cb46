/** A streamed answer as it crossed the wire: its status and every `data:` payload, in order. */
export interface RawSse {
  readonly status: number
  readonly contentType: string | null
  readonly data: ReadonlyArray<string>
}

/**
 * POSTs `body` to the gateway's chat completions with `fetch` (no client library in between)
 * and reads the whole response, so the test sees exactly which SSE events were sent.
 */
export const postRawSse = async (
  serverUrl: string,
  apiKey: string,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<RawSse> => {
  const response = await fetch(`${serverUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  // Events are separated by a blank line; only `data:` lines carry payloads.
  const data = text
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice("data:".length).trim())
  return { status: response.status, contentType: response.headers.get("content-type"), data }
}
