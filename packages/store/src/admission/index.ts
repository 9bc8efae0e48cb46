/** The core's `Admission` service over keys, budgets and limits, and its one-call layer. */
export * from "./admission-live.ts"
export * from "./layer-admission-store.ts"
export * from "./store-ticket.ts"
