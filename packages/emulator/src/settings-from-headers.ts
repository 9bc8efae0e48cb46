import type { IncomingHttpHeaders } from "node:http"
import type { Settings } from "./exchange.ts"

const numberHeader = (headers: IncomingHttpHeaders, name: string): number | undefined => {
  const value = headers[name]
  if (typeof value !== "string" || value === "") return undefined
  const parsed = Number(value)
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined
}

/** The request's settings: `x-emulator-ttft-ms`, `-tps`, `-tokens`, `-cached-tokens` win. */
export const settingsFromHeaders = (
  headers: IncomingHttpHeaders,
  defaults: Settings,
): Settings => ({
  ttftMs: numberHeader(headers, "x-emulator-ttft-ms") ?? defaults.ttftMs,
  tokensPerSecond: numberHeader(headers, "x-emulator-tps") ?? defaults.tokensPerSecond,
  naturalTokens: Math.floor(numberHeader(headers, "x-emulator-tokens") ?? defaults.naturalTokens),
  cachedTokens: Math.floor(numberHeader(headers, "x-emulator-cached-tokens") ?? 0),
  cacheWriteTokens: Math.floor(numberHeader(headers, "x-emulator-cache-write-tokens") ?? 0),
})
