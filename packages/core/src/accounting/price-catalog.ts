import { parseDecimal, toScaledInteger } from "./parse-decimal.ts"
import type { ModelPrice, PriceBook, PriceRates } from "./types.ts"

/**
 * The default price book: list prices in micro-USD per million tokens ($1.25/M is 1_250_000).
 * Checked with the search tool on the date in `checkedOn`, mostly through copies of the
 * providers' pages; a figure that could not be confirmed says so in its `source`.
 *
 * Not modelled: Gemini context-cache storage (billed per token-hour while a cache lives, not per
 * request), Anthropic 1-hour cache writes (2x input; usage does not say which TTL was written, so
 * writes are priced at the 5-minute 1.25x), batch and priority tiers, audio input rates.
 */

const CHECKED_ON = "2026-12-03"

const GOOGLE = "https://ai.google.dev/gemini-api/docs/pricing"
const ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing"
const OPENAI = "https://platform.openai.com/docs/pricing"
const DEEPSEEK = "https://api-docs.deepseek.com/quick_start/pricing"
const XAI = "https://docs.x.ai/docs/models"

/** USD per million, written as decimal text, as a micro-USD integer (no float arithmetic). */
const usd = (perMillion: string): number => {
  const decimal = parseDecimal(perMillion)
  const micro = decimal && toScaledInteger(decimal, 6)
  if (micro === undefined) throw new Error(`price-catalog: bad price ${perMillion}`)
  return Number(micro)
}

/** Rates where a cache write costs what a plain input token costs (OpenAI, DeepSeek, Gemini). */
const rates = (input: string, cachedInput: string, output: string): PriceRates => ({
  inputPerMillion: usd(input),
  cachedInputPerMillion: usd(cachedInput),
  cacheWritePerMillion: usd(input),
  outputPerMillion: usd(output),
})

/** Anthropic: reads at 0.1x input, 5-minute writes at 1.25x input, both exact in micro-USD. */
const anthropicRates = (input: string, output: string): PriceRates => {
  const micro = usd(input)
  if (micro % 40 !== 0) throw new Error(`price-catalog: ${input} has no exact cache multiples`)
  return {
    inputPerMillion: micro,
    cachedInputPerMillion: micro / 10,
    cacheWritePerMillion: (micro / 4) * 5,
    outputPerMillion: usd(output),
  }
}

interface CatalogEntry {
  /** Every id a client may send for this model: the alias first, then dated snapshots. */
  readonly ids: ReadonlyArray<string>
  readonly price: ModelPrice
}

const entry = (
  ids: ReadonlyArray<string>,
  base: PriceRates,
  source: string,
  tiers?: ModelPrice["tiers"],
): CatalogEntry => ({
  ids,
  price: { ...base, ...(tiers ? { tiers } : {}), source, checkedOn: CHECKED_ON },
})

const above200k = (r: PriceRates) => [{ ...r, abovePromptTokens: 200_000 }]

const catalog: ReadonlyArray<CatalogEntry> = [
  // Google. The >200k tier prices the whole request (input, cache reads and output).
  entry(
    ["gemini-2.5-pro"],
    rates("1.25", "0.125", "10"),
    `${GOOGLE} (<=200k: $1.25 in, $0.125 cached, $10 out; >200k: $2.50, $0.25, $15)`,
    above200k(rates("2.5", "0.25", "15")),
  ),
  entry(
    ["gemini-2.5-flash"],
    rates("0.3", "0.03", "2.5"),
    `${GOOGLE} (input and output confirmed; cached $0.03 not confirmed, one copy lists $0.075)`,
  ),
  entry(
    ["gemini-2.0-flash", "gemini-2.0-flash-001"],
    rates("0.1", "0.025", "0.4"),
    `${GOOGLE} (input and output confirmed; cached $0.025 not confirmed)`,
  ),
  entry(
    ["gemini-3.1-pro-preview", "gemini-3-pro-preview"],
    rates("2", "0.2", "12"),
    `${GOOGLE} (<=200k: $2 in, $0.20 cached, $12 out; >200k: $4, $0.40, $18; ` +
      "gemini-3-pro-preview now serves 3.1 Pro; >200k cached rate not confirmed)",
    above200k(rates("4", "0.4", "18")),
  ),
  entry(["gemini-3-flash-preview"], rates("0.5", "0.05", "3"), `${GOOGLE} (confirmed)`),
  entry(
    ["gemini-3.1-flash"],
    rates("0.5", "0.05", "3"),
    `${GOOGLE} (NOT verified: no published text price for this id was found; ` +
      "priced as gemini-3-flash-preview until confirmed)",
  ),

  // Anthropic. Sonnet 4.5 prompts above 200k (1M-context beta) bill every token at 2x input
  // and 1.5x output; the cache multipliers apply on top.
  entry(
    ["claude-sonnet-4.5", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"],
    anthropicRates("3", "15"),
    `${ANTHROPIC} (<=200k: $3 in, $3.75 5m write, $0.30 read, $15 out; >200k: $6, $22.50)`,
    above200k(anthropicRates("6", "22.5")),
  ),
  entry(
    ["claude-haiku-4.5", "claude-haiku-4-5", "claude-haiku-4-5-20251001"],
    anthropicRates("1", "5"),
    `${ANTHROPIC} ($1 in, $1.25 5m write, $0.10 read, $5 out)`,
  ),
  entry(
    ["claude-opus-4.5", "claude-opus-4-5", "claude-opus-4-5-20251101"],
    anthropicRates("5", "25"),
    `${ANTHROPIC} ($5 in, $6.25 5m write, $0.50 read, $25 out)`,
  ),
  entry(
    ["claude-3-opus", "claude-3-opus-20240229"],
    anthropicRates("15", "75"),
    `${ANTHROPIC} ($15 in, $18.75 5m write, $1.50 read, $75 out; deprecated model)`,
  ),

  // OpenAI: cache writes are free beyond the input price; cached reads are discounted.
  entry(
    ["gpt-4.1", "gpt-4.1-2025-04-14"],
    rates("2", "0.5", "8"),
    `${OPENAI} ($2 in, $0.50 cached, $8 out)`,
  ),
  entry(
    ["gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"],
    rates("0.1", "0.025", "0.4"),
    `${OPENAI} ($0.10 in, $0.025 cached, $0.40 out)`,
  ),
  entry(
    ["gpt-4o-mini", "gpt-4o-mini-2024-07-18"],
    rates("0.15", "0.075", "0.6"),
    `${OPENAI} ($0.15 in, $0.075 cached, $0.60 out)`,
  ),
  entry(["text-embedding-3-small"], rates("0.02", "0.02", "0"), `${OPENAI} ($0.02 in, embeddings)`),

  // DeepSeek: both endpoints serve V3.2 at one price; a cache miss is the input price.
  entry(
    ["deepseek-v3.2", "deepseek-chat", "deepseek-reasoner"],
    rates("0.28", "0.028", "0.42"),
    `${DEEPSEEK} (V3.2: $0.28 cache miss, $0.028 cache hit, $0.42 out)`,
  ),

  // xAI: confirmed also by the `cost_in_usd_ticks` xAI reports in the recorded payloads.
  entry(
    ["grok-3-mini", "grok-3-mini-latest"],
    rates("0.3", "0.075", "0.5"),
    `${XAI} ($0.30 in, $0.075 cached, $0.50 out)`,
  ),
]

/** The default price book, keyed by every id a client may send. */
export const defaultPriceBook: PriceBook = new Map(
  catalog.flatMap((e) => e.ids.map((id) => [id, e.price] as const)),
)

const DATED_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/

/**
 * The price for a model id: exact match first, then the id without a dated snapshot suffix
 * (`gpt-4.1-2025-04-14` -> `gpt-4.1`). `undefined` when the model has no price.
 */
export const findPrice = (book: PriceBook, model: string): ModelPrice | undefined =>
  book.get(model) ?? book.get(model.replace(DATED_SUFFIX, ""))
