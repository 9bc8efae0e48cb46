import type { BudgetPeriod } from "../keys/key-info.ts"

/** Epoch ms when the period containing `nowMs` began: UTC midnight, UTC first of the month, 0. */
export const periodStart = (period: BudgetPeriod, nowMs: number): number => {
  if (period === "lifetime") return 0

  const now = new Date(nowMs)
  return period === "day"
    ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
    : Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
}

/** Epoch ms when the period containing `nowMs` ends; undefined for lifetime. */
export const periodEnd = (period: BudgetPeriod, nowMs: number): number | undefined => {
  if (period === "lifetime") return undefined

  const now = new Date(nowMs)
  return period === "day"
    ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1)
    : Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)
}
