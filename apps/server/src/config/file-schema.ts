import { BillingCurrencyConfig, PricesConfig } from "@tollgate/core"
import { z } from "zod"

/** One deployment of a model as an operator writes it in `tollgate.config.json`. */
const DeploymentConfig = z.strictObject({
  provider: z.string().min(1),
  /** Defaults to the provider's own API. */
  api: z.enum(["openai", "gemini", "anthropic"]).optional(),
  /** Defaults to the model id. */
  upstreamModel: z.string().min(1).optional(),
  /** Defaults to the provider's public URL (or the emulator when no key is given). */
  baseUrl: z.url().optional(),
  /** Name of the environment variable holding the key, never the key itself. */
  keyEnv: z.string().min(1).optional(),
  weight: z.number().positive().optional(),
})

const ResilienceConfig = z.strictObject({
  deadlineMs: z.number().int().positive().optional(),
  attemptTimeoutMs: z.number().int().positive().optional(),
  firstTokenTimeoutMs: z.number().int().positive().optional(),
  idleTimeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).optional(),
  backoffBaseMs: z.number().int().min(0).optional(),
  /** Race a second deployment when no first token came within `afterMs` (or the p95). */
  hedge: z
    .strictObject({ afterMs: z.union([z.number().int().positive(), z.literal("p95")]) })
    .optional(),
})

/** A model override (for a catalog id) or addition (for a new id). */
const ModelConfig = z.strictObject({
  provider: z.string().min(1).optional(),
  deployments: z.array(DeploymentConfig).min(1).optional(),
  fallbacks: z.array(z.string().min(1)).optional(),
  routing: z.enum(["weighted", "latency", "least-busy"]).optional(),
  resilience: ResilienceConfig.optional(),
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
})

/** `tollgate.config.json`. Every section is optional; unknown keys are typos and refused. */
export const FileConfig = z.strictObject({
  $schema: z.string().optional(),
  server: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65535).optional(),
      /** Largest accepted request body in bytes. */
      bodyLimit: z.number().int().positive().optional(),
    })
    .optional(),
  models: z.record(z.string().min(1), ModelConfig).optional(),
  /** Resilience applied to every model before its own. */
  resilience: ResilienceConfig.optional(),
  /** USD per million tokens, merged over the default price book by the core. */
  prices: PricesConfig.optional(),
  /** Billing currency and its rate per USD of list price; storage stays USD. */
  currency: BillingCurrencyConfig.optional(),
  databaseUrl: z.string().min(1).optional(),
  redisUrl: z.string().min(1).optional(),
})
export type FileConfig = z.infer<typeof FileConfig>
