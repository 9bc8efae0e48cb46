import type { LedgerEntry } from "@tollgate/core"

/** A ledger entry for tests; its cost derives from `n` so a reader can recompute any sum. */
export const testEntry = (n: number, overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  requestId: `req-${n}`,
  keyId: `key-${n % 3}`,
  model: n % 2 === 0 ? "gemini-2.5-flash" : "gpt-4.1",
  provider: n % 2 === 0 ? "gemini" : "openai",
  deploymentId: null,
  promptTokens: 100 + n,
  cachedTokens: 10,
  cacheWriteTokens: 0,
  completionTokens: 20,
  reasoningTokens: 0,
  costNanoUsd: testCost(n),
  status: 200,
  latencyMs: 12,
  ttftMs: 5,
  attempts: 1,
  estimated: false,
  createdAt: Date.UTC(2026, 11, 3, 12, 0, 0) + n,
  ...overrides,
})

/** The cost `testEntry(n)` carries: odd sizes so sums exercise every digit. */
export const testCost = (n: number): bigint => 1_234_567n + BigInt(n) * 1_001n
