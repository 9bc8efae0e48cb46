import { formatMs, formatUsd } from "./format-usd.ts"

/** What one chat call measured and reported. */
export interface ChatSummary {
  readonly model: string
  readonly latencyMs: number
  /** Streams only: time until the first generated token arrived. */
  readonly firstTokenMs?: number | undefined
  readonly promptTokens?: number | undefined
  readonly completionTokens?: number | undefined
  /** `usage.cost` or the `x-tollgate-cost-usd` header; undefined when the gateway sent none. */
  readonly costUsd?: number | string | undefined
}

const tokens = (summary: ChatSummary): string =>
  summary.promptTokens === undefined || summary.completionTokens === undefined
    ? "tokens unknown"
    : `${summary.promptTokens} prompt + ${summary.completionTokens} completion tokens`

/**
 * The line printed after an answer, e.g.
 * `gpt-4.1 · 412 ms (first token 35 ms) · 9 prompt + 16 completion tokens · $0.000146`.
 */
export const formatChatSummary = (summary: ChatSummary): string => {
  const firstToken =
    summary.firstTokenMs === undefined ? "" : ` (first token ${formatMs(summary.firstTokenMs)})`
  const cost = summary.costUsd === undefined ? "cost unknown" : formatUsd(summary.costUsd)
  return [summary.model, `${formatMs(summary.latencyMs)}${firstToken}`, tokens(summary), cost].join(
    " · ",
  )
}
