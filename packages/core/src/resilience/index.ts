/** Retries, deadlines and upstream failure classification shared by every adapter. */
export * from "./retry-after.ts"
export * from "./transport-error.ts"
