/** Budgets and prepaid credit by reservation. */
export * from "./budget-store.ts"
export * from "./format-usd.ts"
export * from "./period.ts"
