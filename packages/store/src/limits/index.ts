/** Per-minute rate limits per key: the interface, in memory and in Redis, and the headers. */
export * from "./memory-rate-limiter.ts"
export * from "./rate-limit-error.ts"
export * from "./rate-limit-headers.ts"
export * from "./rate-limiter.ts"
export * from "./redis-rate-limiter.ts"
