/** How often a budget starts again from zero: each UTC day, each UTC month, or never. */
export type BudgetPeriod = "day" | "month" | "lifetime"

/** The settings an operator chooses for a key. An absent limit is no limit. */
export interface KeySettings {
  readonly name: string
  /** Model ids this key may use; undefined means all. */
  readonly allowedModels?: ReadonlyArray<string>
  /** `max_tokens` applied when a request sets none. */
  readonly defaultMaxTokens?: number
  /** Upper bound on `max_tokens`. */
  readonly maxTokensCeiling?: number
  /** Spend allowed per period, in nano-USD (1 USD = 10^9). */
  readonly budgetNanoUsd?: bigint
  readonly budgetPeriod: BudgetPeriod
  /** Requests per minute. */
  readonly rpm?: number
  /** Tokens per minute (prompt plus `max_tokens` at admission, corrected after). */
  readonly tpm?: number
}

/** A key as list/get show it: settings and balances, never the secret or its hash. */
export interface KeyInfo extends KeySettings {
  readonly id: string
  /** Prepaid balance in nano-USD; undefined when the key does not use prepaid credit. */
  readonly creditNanoUsd?: bigint
  /** Spend in the current budget period (settled requests only). */
  readonly spentNanoUsd: bigint
  /** Worst-case cost held by requests still in flight. */
  readonly reservedNanoUsd: bigint
  /** Epoch ms when the current budget period began (0 for lifetime). */
  readonly periodStart: number
  readonly revokedAt?: number
  readonly createdAt: number
  readonly updatedAt: number
}

/** A key as authentication needs it: the info plus the stored hash. */
export interface KeyRecord extends KeyInfo {
  readonly secretHash: string
}

/** What `create` takes: a name, and any settings (the period defaults to `lifetime`). */
export type CreateKeyInput = Partial<KeySettings> & {
  readonly name: string
  /** Opening prepaid credit; without it the configured grant for new keys applies, if any. */
  readonly creditNanoUsd?: bigint
}

/** What `update` changes: a field left undefined stays, `null` removes the limit. */
export interface KeyUpdate {
  readonly name?: string
  readonly allowedModels?: ReadonlyArray<string> | null
  readonly defaultMaxTokens?: number | null
  readonly maxTokensCeiling?: number | null
  readonly budgetNanoUsd?: bigint | null
  readonly budgetPeriod?: BudgetPeriod
  readonly rpm?: number | null
  readonly tpm?: number | null
}

/** The result of `create` and `rotate`: the key in clear, shown this once and never again. */
export interface CreatedKey {
  readonly key: string
  readonly info: KeyInfo
}
