import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base"

/**
 * Token counting with a real BPE tokenizer (OpenAI's o200k, pure JS). Other providers tokenize
 * differently (Claude's tokenizer often yields more tokens for the same text), so callers that
 * need an upper bound add a margin.
 */

// Special-token text such as `<|endoftext|>` in a user's message is ordinary text here, not an
// error: the default options of the library throw on it.
const OPTIONS = { disallowedSpecial: new Set<string>() }

// BPE is quadratic in the length of one pre-token, and a run without spaces (base64, a long
// "aaaa...") is one pre-token: 200k such characters take ~30 s. Cutting runs into 64-character
// slices keeps it linear; each cut can add a token, so the count errs high, never low.
const LONG_RUN = /(\S{64})/

/**
 * Tokens in `text` by o200k; linear time in the length of the text. Shortcoming: it runs
 * synchronously at roughly 80 ms per MB of text, so a 1M-token prompt holds the event loop ~0.3 s.
 */
export const countTextTokens = (text: string): number => {
  if (text === "") return 0
  let tokens = 0
  for (const piece of text.split(LONG_RUN)) {
    if (piece !== "") tokens += countO200k(piece, OPTIONS)
  }
  return tokens
}
