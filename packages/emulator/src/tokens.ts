/**
 * The emulator's one notion of a token: a whitespace-separated piece of text. Generation and
 * usage both use it, so the usage it reports always matches the text it sent.
 */
export const countTokens = (text: string): number => {
  let count = 0
  let inPiece = false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    const space = code === 32 || code === 10 || code === 9 || code === 13
    if (!space && !inPiece) count++
    inPiece = !space
  }
  return count
}

/** FNV-1a hash of a string, as an unsigned 32-bit integer. */
export const hashString = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const vocabulary = [
  "the",
  "gateway",
  "answers",
  "every",
  "request",
  "with",
  "care",
  "and",
  "a",
  "steady",
  "stream",
  "of",
  "tokens",
  "that",
  "arrive",
  "in",
  "order",
  "while",
  "budgets",
  "hold",
  "models",
  "route",
  "around",
  "failure",
  "so",
  "pipelines",
  "keep",
  "running",
  "through",
  "night",
  "emulated",
  "reply",
  "quiet",
  "river",
  "bright",
  "signal",
  "measured",
  "cost",
  "clear",
  "path",
  "upstream",
  "latency",
  "stays",
  "low",
  "when",
  "providers",
  "slow",
  "down",
  "retries",
  "wait",
  "their",
  "turn",
  "deadline",
  "fits",
  "inside",
  "one",
  "budget",
  "ledger",
  "records",
  "exact",
  "cents",
  "fallback",
  "ready",
  "calm",
]

/** `count` deterministic words chosen from the seed; the same seed always gives the same words. */
export const generateWords = (seed: number, count: number): string[] => {
  const words: string[] = []
  let state = seed || 1
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
    words.push(vocabulary[state % vocabulary.length] ?? "token")
  }
  return words
}

/** Stream pieces of a word list: the first bare, the others with their leading space. */
export const toPieces = (words: ReadonlyArray<string>): string[] =>
  words.map((word, i) => (i === 0 ? word : ` ${word}`))
