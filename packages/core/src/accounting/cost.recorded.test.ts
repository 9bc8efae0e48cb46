import { readdirSync } from "node:fs"
import { join } from "node:path"
import { readRecorded, requireShared, sharedDir } from "@tollgate/emulator/shared-fixtures"
import { describe, expect, it } from "vitest"
import type { Usage } from "../usage/usage.ts"
import { costOf } from "./cost.ts"
import { defaultPriceBook, findPrice } from "./price-catalog.ts"
import {
  everyStreamUsage,
  fromGeminiUsage,
  recordedStreamUsage,
  recordedUsage,
} from "./recorded-usage.test-support.ts"

/**
 * Costs of every recorded payload that carries usage, computed by hand. A price of p micro-USD
 * per million tokens is p pico-USD per token, so each line below is tokens x pico-USD; the sum
 * is rounded half-up once to nano-USD (divide by 1,000).
 *
 * Prices used (pico-USD per token): gemini-3(.1)-pro 2,000,000 in / 12,000,000 out;
 * gemini-3-flash 500,000 / 3,000,000; claude-sonnet-4.5 3,000,000 / 15,000,000;
 * claude-haiku-4.5 1,000,000 / 5,000,000; claude-opus-4.5 5,000,000 / 25,000,000;
 * claude-3-opus 15,000,000 / 75,000,000; deepseek 280,000 miss / 28,000 hit / 420,000 out;
 * gpt-4.1-nano 100,000 / 400,000; text-embedding-3-small 20,000; grok-3-mini 300,000 in /
 * 75,000 cached / 500,000 out.
 */

interface Case {
  readonly path: string
  readonly model: string
  /** The normalised usage the payload must map to (read from it, written here to check). */
  readonly usage: Omit<Usage, "reasoningTokens">
  readonly nanoUsd: bigint
}

const u = (prompt: number, cached: number, write: number, completion: number) => ({
  promptTokens: prompt,
  cachedTokens: cached,
  cacheWriteTokens: write,
  completionTokens: completion,
})

const wholeResponses: ReadonlyArray<Case> = [
  // 9 x 2e6 + (29 + 258) x 12e6 = 18e6 + 3,444e6 = 3,462e6 pico
  {
    path: "google/google-reasoning-gemini3.json",
    model: "gemini-3-pro-preview",
    usage: u(9, 0, 0, 287),
    nanoUsd: 3_462_000n,
  },
  // 9 x 2e6 + (29 + 282) x 12e6 = 18e6 + 3,732e6 = 3,750e6 pico
  {
    path: "google/google-reasoning.json",
    model: "gemini-3-pro-preview",
    usage: u(9, 0, 0, 311),
    nanoUsd: 3_750_000n,
  },
  // 9 x 2e6 + (28 + 244) x 12e6 = 18e6 + 3,264e6 = 3,282e6 pico
  {
    path: "google/google-text.json",
    model: "gemini-3-pro-preview",
    usage: u(9, 0, 0, 272),
    nanoUsd: 3_282_000n,
  },
  // 29 x 2e6 + (15 + 1,801) x 12e6 = 58e6 + 21,792e6 = 21,850e6 pico
  {
    path: "google/google-tool-call-gemini3.json",
    model: "gemini-3-pro-preview",
    usage: u(29, 0, 0, 1_816),
    nanoUsd: 21_850_000n,
  },
  // 29 x 2e6 + (15 + 893) x 12e6 = 58e6 + 10,896e6 = 10,954e6 pico
  {
    path: "google/google-tool-call.json",
    model: "gemini-3-pro-preview",
    usage: u(29, 0, 0, 908),
    nanoUsd: 10_954_000n,
  },
  // 69 x 3e6 + 33 x 15e6 = 207e6 + 495e6 = 702e6 pico
  {
    path: "anthropic/anthropic-clear-thinking.1.json",
    model: "claude-sonnet-4-5-20250929",
    usage: u(69, 0, 0, 33),
    nanoUsd: 702_000n,
  },
  // 1,151 x 1e6 + 87 x 5e6 = 1,151e6 + 435e6 = 1,586e6 pico
  {
    path: "anthropic/anthropic-json-tool.1.json",
    model: "claude-haiku-4-5-20251001",
    usage: u(1_151, 0, 0, 87),
    nanoUsd: 1_586_000n,
  },
  // 12 x 3e6 + 29 x 15e6 = 36e6 + 435e6 = 471e6 pico
  {
    path: "anthropic/anthropic-text.json",
    model: "claude-sonnet-4-5-20250929",
    usage: u(12, 0, 0, 29),
    nanoUsd: 471_000n,
  },
  // 602 x 15e6 + 93 x 75e6 = 9,030e6 + 6,975e6 = 16,005e6 pico
  {
    path: "anthropic/anthropic-tool-no-args.json",
    model: "claude-3-opus-20240229",
    usage: u(602, 0, 0, 93),
    nanoUsd: 16_005_000n,
  },
  // 18 x 280,000 + 345 x 420,000 = 5,040,000 + 144,900,000 = 149,940,000 pico
  {
    path: "deepseek/deepseek-reasoning.json",
    model: "deepseek-reasoner",
    usage: u(18, 0, 0, 345),
    nanoUsd: 149_940n,
  },
  // 13 x 280,000 + 300 x 420,000 = 3,640,000 + 126,000,000 = 129,640,000 pico
  {
    path: "deepseek/deepseek-text.json",
    model: "deepseek-chat",
    usage: u(13, 0, 0, 300),
    nanoUsd: 129_640n,
  },
  // (339 - 320) x 280,000 + 320 x 28,000 + 92 x 420,000
  //   = 5,320,000 + 8,960,000 + 38,640,000 = 52,920,000 pico
  {
    path: "deepseek/deepseek-tool-call.json",
    model: "deepseek-reasoner",
    usage: u(339, 320, 0, 92),
    nanoUsd: 52_920n,
  },
  // 16 x 100,000 + 363 x 400,000 = 1,600,000 + 145,200,000 = 146,800,000 pico
  {
    path: "openai/openai-text.json",
    model: "gpt-4.1-nano-2025-04-14",
    usage: u(16, 0, 0, 363),
    nanoUsd: 146_800n,
  },
  // 12 x 20,000 = 240,000 pico
  {
    path: "openai/openai-embedding.json",
    model: "text-embedding-3-small",
    usage: u(12, 0, 0, 0),
    nanoUsd: 240n,
  },
  // (12 - 2) x 300,000 + 2 x 75,000 + (2 + 320) x 500,000
  //   = 3,000,000 + 150,000 + 161,000,000 = 164,150,000 pico
  { path: "xai/xai-text.json", model: "grok-3-mini", usage: u(12, 2, 0, 322), nanoUsd: 164_150n },
  // (307 - 244) x 300,000 + 244 x 75,000 + (26 + 255) x 500,000
  //   = 18,900,000 + 18,300,000 + 140,500,000 = 177,700,000 pico
  {
    path: "xai/xai-tool-call.json",
    model: "grok-3-mini",
    usage: u(307, 244, 0, 281),
    nanoUsd: 177_700n,
  },
]

const streams: ReadonlyArray<Case> = [
  // 9 x 2e6 + (23 + 302) x 12e6 = 18e6 + 3,900e6 = 3,918e6 pico
  {
    path: "google/google-reasoning-gemini3.chunks.txt",
    model: "gemini-3-pro-preview",
    usage: u(9, 0, 0, 325),
    nanoUsd: 3_918_000n,
  },
  // 9 x 2e6 + (29 + 256) x 12e6 = 18e6 + 3,420e6 = 3,438e6 pico
  {
    path: "google/google-reasoning.chunks.txt",
    model: "gemini-3-pro-preview",
    usage: u(9, 0, 0, 285),
    nanoUsd: 3_438_000n,
  },
  // 249 x 500,000 + (58 + 183) x 3,000,000 = 124,500,000 + 723,000,000 = 847,500,000 pico
  {
    path: "google/google-stream-no-args-tool-call.chunks.txt",
    model: "gemini-3-flash-preview",
    usage: u(249, 0, 0, 241),
    nanoUsd: 847_500n,
  },
  // 26 x 2e6 + (23 + 132) x 12e6 = 52e6 + 1,860e6 = 1,912e6 pico
  {
    path: "google/google-stream-tool-call-arguments.chunks.txt",
    model: "gemini-3.1-pro-preview",
    usage: u(26, 0, 0, 155),
    nanoUsd: 1_912_000n,
  },
  // 9 x 2e6 + (23 + 185) x 12e6 = 18e6 + 2,496e6 = 2,514e6 pico
  {
    path: "google/google-text.chunks.txt",
    model: "gemini-3-pro-preview",
    usage: u(9, 0, 0, 208),
    nanoUsd: 2_514_000n,
  },
  // 29 x 2e6 + (15 + 804) x 12e6 = 58e6 + 9,828e6 = 9,886e6 pico
  {
    path: "google/google-tool-call-gemini3.chunks.txt",
    model: "gemini-3-pro-preview",
    usage: u(29, 0, 0, 819),
    nanoUsd: 9_886_000n,
  },
  // 29 x 2e6 + (15 + 45) x 12e6 = 58e6 + 720e6 = 778e6 pico
  {
    path: "google/google-tool-call.chunks.txt",
    model: "gemini-3-pro-preview",
    usage: u(29, 0, 0, 60),
    nanoUsd: 778_000n,
  },
  // 69 x 3e6 + 53 x 15e6 = 207e6 + 795e6 = 1,002e6 pico (output from message_delta)
  {
    path: "anthropic/anthropic-clear-thinking.1.chunks.txt",
    model: "claude-sonnet-4-5-20250929",
    usage: u(69, 0, 0, 53),
    nanoUsd: 1_002_000n,
  },
  // 849 x 1e6 + 47 x 5e6 = 849e6 + 235e6 = 1,084e6 pico
  {
    path: "anthropic/anthropic-json-tool.1.chunks.txt",
    model: "claude-haiku-4-5-20251001",
    usage: u(849, 0, 0, 47),
    nanoUsd: 1_084_000n,
  },
  // message_delta restates input as 61 (message_start said 43): 61 x 5e6 + 2 x 25e6 = 355e6 pico
  {
    path: "anthropic/anthropic-message-delta-input-tokens.chunks.txt",
    model: "claude-opus-4-5-20251101",
    usage: u(61, 0, 0, 2),
    nanoUsd: 355_000n,
  },
  // 12 x 3e6 + 30 x 15e6 = 36e6 + 450e6 = 486e6 pico
  {
    path: "anthropic/anthropic-text.chunks.txt",
    model: "claude-sonnet-4-5-20250929",
    usage: u(12, 0, 0, 30),
    nanoUsd: 486_000n,
  },
  // 565 x 3e6 + 48 x 15e6 = 1,695e6 + 720e6 = 2,415e6 pico
  {
    path: "anthropic/anthropic-tool-no-args.chunks.txt",
    model: "claude-sonnet-4-5-20250929",
    usage: u(565, 0, 0, 48),
    nanoUsd: 2_415_000n,
  },
  // 18 x 280,000 + 219 x 420,000 = 5,040,000 + 91,980,000 = 97,020,000 pico
  {
    path: "deepseek/deepseek-reasoning.chunks.txt",
    model: "deepseek-reasoner",
    usage: u(18, 0, 0, 219),
    nanoUsd: 97_020n,
  },
  // 13 x 280,000 + 400 x 420,000 = 3,640,000 + 168,000,000 = 171,640,000 pico
  {
    path: "deepseek/deepseek-text.chunks.txt",
    model: "deepseek-chat",
    usage: u(13, 0, 0, 400),
    nanoUsd: 171_640n,
  },
  // 19 x 280,000 + 320 x 28,000 + 83 x 420,000 = 5,320,000 + 8,960,000 + 34,860,000 pico
  {
    path: "deepseek/deepseek-tool-call.chunks.txt",
    model: "deepseek-reasoner",
    usage: u(339, 320, 0, 83),
    nanoUsd: 49_140n,
  },
  // 16 x 100,000 + 300 x 400,000 = 1,600,000 + 120,000,000 = 121,600,000 pico
  {
    path: "openai/openai-text.chunks.txt",
    model: "gpt-4.1-nano-2025-04-14",
    usage: u(16, 0, 0, 300),
    nanoUsd: 121_600n,
  },
  // 1 x 300,000 + 11 x 75,000 + (2 + 340) x 500,000 = 300,000 + 825,000 + 171,000,000 pico
  {
    path: "xai/xai-text.chunks.txt",
    model: "grok-3-mini",
    usage: u(12, 11, 0, 342),
    nanoUsd: 172_125n,
  },
  // 1 x 300,000 + 306 x 75,000 + (26 + 227) x 500,000 = 300,000 + 22,950,000 + 126,500,000
  {
    path: "xai/xai-tool-call.chunks.txt",
    model: "grok-3-mini",
    usage: u(307, 306, 0, 253),
    nanoUsd: 149_750n,
  },
]

const priceOf = (model: string) => {
  const price = findPrice(defaultPriceBook, model)
  if (!price) throw new Error(`no price for ${model}`)
  return price
}

const hasShared = requireShared()

describe.skipIf(!hasShared)("cost of recorded responses", () => {
  it.each(wholeResponses)("prices $path from its usage", ({ path, model, usage, nanoUsd }) => {
    const normalised = recordedUsage(path)

    expect(normalised).toMatchObject(usage)
    expect(normalised && costOf(normalised, priceOf(model)).nanoUsd).toBe(nanoUsd)
  })

  it.each(streams)(
    "prices stream $path from its final usage",
    ({ path, model, usage, nanoUsd }) => {
      const normalised = recordedStreamUsage(path)

      expect(normalised).toMatchObject(usage)
      expect(normalised && costOf(normalised, priceOf(model)).nanoUsd).toBe(nanoUsd)
    },
  )

  it("covers every recorded payload that carries usage", () => {
    const root = join(sharedDir, "fixtures", "recorded")
    const withUsage = readdirSync(root, { recursive: true, encoding: "utf8" })
      .filter((path) => path.endsWith(".json") || path.endsWith(".chunks.txt"))
      .filter((path) => /"usage(Metadata)?":\s*\{\s*"\w*[Tt]oken/.test(readRecorded(path)))
      .sort()
    const covered = [...wholeResponses, ...streams].map((c) => c.path).sort()

    expect(covered).toEqual(withUsage)
  })

  it("agrees with the cost xAI itself reports (1 tick = 1e-10 USD = 100 pico-USD)", () => {
    for (const path of ["xai/xai-text.json", "xai/xai-tool-call.json"]) {
      const ticks = /"cost_in_usd_ticks":\s*(\d+)/.exec(readRecorded(path))?.[1]
      const usage = recordedUsage(path)

      expect(usage && costOf(usage, priceOf("grok-3-mini")).picoUsd).toBe(
        BigInt(ticks ?? -1) * 100n,
      )
    }
  })

  it("prices a Gemini stream on its last usage, not the sum of its chunks", () => {
    const path = "google/google-reasoning.chunks.txt"
    const price = priceOf("gemini-3-pro-preview")
    const each = everyStreamUsage(path)
    const summed = each.reduce((sum, usage) => sum + costOf(usage, price).nanoUsd, 0n)

    // Three chunks carry cumulative usage: summing them would bill ~3x.
    expect(each.length).toBe(3)
    expect(summed).toBeGreaterThan(2n * 3_438_000n)
    const last = each.at(-1)
    expect(last && costOf(last, price).nanoUsd).toBe(3_438_000n)
  })
})

describe("cost of a long cached Gemini 2.5 Pro prompt", () => {
  // No recording is this long; the payload is written out in Gemini's own usage shape.
  const usageMetadata = {
    promptTokenCount: 262_960,
    cachedContentTokenCount: 257_955,
    candidatesTokenCount: 1_744,
    totalTokenCount: 264_704,
  }

  it("bills the >200k tier and charges cached tokens once, at the cached rate", () => {
    const usage = fromGeminiUsage(usageMetadata)
    const cost = usage && costOf(usage, priceOf("gemini-2.5-pro"))

    // Tier: 262,960 > 200,000, so $2.50 in, $0.25 cached, $15 out per million.
    // uncached: (262,960 - 257,955) = 5,005 x 2,500,000 = 12,512,500,000 pico
    // cached:   257,955 x 250,000                       = 64,488,750,000 pico
    // output:   1,744 x 15,000,000                      = 26,160,000,000 pico
    // total                                             = 103,161,250,000 pico = $0.10316125
    expect(cost?.tierAbovePromptTokens).toBe(200_000)
    expect(cost?.breakdownPicoUsd).toEqual({
      input: 12_512_500_000n,
      cachedInput: 64_488_750_000n,
      cacheWrite: 0n,
      output: 26_160_000_000n,
    })
    expect(cost?.nanoUsd).toBe(103_161_250n)

    // Charging the cached tokens again as plain input would add 257,955 x 2,500,000 pico:
    expect(cost?.nanoUsd).toBeLessThan(103_161_250n + 644_887_500n)
  })
})
