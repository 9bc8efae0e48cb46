import { Effect } from "effect"
import type { GatewayError } from "../../errors/gateway-error.ts"
import { badRequest } from "./bad-request.ts"

/** A Gemini media part: bytes inline, or a file Gemini fetches itself. */
export type GeminiMediaPart =
  | { readonly inlineData: { readonly mimeType: string; readonly data: string } }
  | { readonly fileData: { readonly mimeType: string; readonly fileUri: string } }

const mimeByExtension: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  mp4: "video/mp4",
}

/** Guessed when a URL's extension says nothing; the warning tells the client. */
const fallbackMime = "image/jpeg"

/** Parse a `data:` URL into an inline part. */
export const inlineFromDataUrl = (
  url: string,
  param: string,
): Effect.Effect<GeminiMediaPart, GatewayError> => {
  const match = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url)
  if (match === null || !(match[2] ?? "").includes(";base64"))
    return Effect.fail(badRequest("Only base64 data URLs are supported", param))
  return Effect.succeed({ inlineData: { mimeType: match[1] ?? "", data: match[3] ?? "" } })
}

/** Turn an `image_url` into a Gemini part; a URL's MIME type comes from its extension. */
export const convertImageUrl = (
  url: string,
  param: string,
  warnings: Array<string>,
): Effect.Effect<GeminiMediaPart, GatewayError> => {
  if (url.startsWith("data:")) return inlineFromDataUrl(url, param)

  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    return Effect.fail(badRequest(`Not a valid image URL: ${url.slice(0, 100)}`, param))
  }

  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? ""
  const mimeType = mimeByExtension[extension]
  if (mimeType === undefined)
    warnings.push(`${param}: MIME type of the image URL unknown, sent to Gemini as ${fallbackMime}`)
  return Effect.succeed({ fileData: { mimeType: mimeType ?? fallbackMime, fileUri: url } })
}
