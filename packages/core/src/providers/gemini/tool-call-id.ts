/**
 * Tool call ids, and how a Gemini 3 thought signature travels inside them.
 *
 * Gemini 3 rejects a conversation whose earlier function calls come back without the
 * `thoughtSignature` it attached. OpenAI clients keep a tool call's `id` byte for byte (they
 * must, to answer it), while extra fields are lost by apps that rebuild messages and by stream
 * accumulators. So the signature rides in the id: `call_<key>_<n>__ts_<signature as base64url>`.
 * The id only uses `[A-Za-z0-9_-]`, so it stays valid if the conversation falls back to another
 * provider. Incoming tool calls may also carry Google's own convention,
 * `extra_content.google.thought_signature`, which is read as well.
 */

const separator = "__ts_"

/** Turn a provider response id into a key safe inside a tool call id. */
export const idKey = (responseId: string | undefined): string => {
  const clean = (responseId ?? "").replace(/[^A-Za-z0-9]/g, "")
  return clean === "" ? crypto.randomUUID().replace(/-/g, "").slice(0, 24) : clean
}

const toBase64Url = (base64: string): string =>
  base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

const fromBase64Url = (url: string): string => {
  const base64 = url.replace(/-/g, "+").replace(/_/g, "/")
  return base64 + "=".repeat((4 - (base64.length % 4)) % 4)
}

/** The id of the `n`-th tool call of a response, carrying its thought signature if any. */
export const makeToolCallId = (key: string, n: number, signature?: string): string => {
  const base = `call_${key}_${n}`
  return signature === undefined || signature === ""
    ? base
    : `${base}${separator}${toBase64Url(signature)}`
}

/** The thought signature inside an id made by `makeToolCallId`, if there is one. */
export const signatureFromId = (id: string): string | undefined => {
  const at = id.indexOf(separator)
  if (at < 0 || !id.startsWith("call_")) return undefined
  const encoded = id.slice(at + separator.length)
  return encoded === "" ? undefined : fromBase64Url(encoded)
}

/** The signature a tool call carries in Google's `extra_content` convention. */
export const signatureFromExtra = (toolCall: Record<string, unknown>): string | undefined => {
  const extra = toolCall.extra_content
  if (typeof extra !== "object" || extra === null || !("google" in extra)) return undefined
  const google = extra.google
  if (typeof google !== "object" || google === null || !("thought_signature" in google))
    return undefined
  return typeof google.thought_signature === "string" ? google.thought_signature : undefined
}
