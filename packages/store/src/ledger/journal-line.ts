import type { LedgerEntry } from "@tollgate/core"
import { z } from "zod"

/** One journal line: the entry as JSON with its cost as a decimal string (JSON has no bigint). */
const JournalLine = z.object({
  requestId: z.string(),
  keyId: z.string(),
  model: z.string(),
  provider: z.string().nullable(),
  deploymentId: z.string().nullable(),
  promptTokens: z.number(),
  cachedTokens: z.number(),
  cacheWriteTokens: z.number(),
  completionTokens: z.number(),
  reasoningTokens: z.number(),
  costNanoUsd: z.string().regex(/^-?\d+$/),
  status: z.number(),
  latencyMs: z.number(),
  ttftMs: z.number().nullable(),
  attempts: z.number(),
  estimated: z.boolean(),
  createdAt: z.number(),
})

/** Serialises an entry as one journal line, newline included. */
export const encodeJournalLine = (entry: LedgerEntry): string =>
  `${JSON.stringify({ ...entry, costNanoUsd: entry.costNanoUsd.toString() })}\n`

/**
 * Parses one journal line; undefined when it is not a whole entry (a line torn by a crash mid
 * write belongs to a `record` that never returned, so dropping it loses nothing acknowledged).
 */
export const decodeJournalLine = (line: string): LedgerEntry | undefined => {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch {
    return undefined
  }
  const parsed = JournalLine.safeParse(json)
  if (!parsed.success) return undefined
  return { ...parsed.data, costNanoUsd: BigInt(parsed.data.costNanoUsd) }
}

/** Every whole entry of a journal file's text, in the order they were written. */
export const decodeJournal = (text: string): ReadonlyArray<LedgerEntry> =>
  text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => decodeJournalLine(line) ?? [])
