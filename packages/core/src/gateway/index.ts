/** The request path: `complete` and `stream`, error rendering, default services. */

export { adapterFor } from "./adapter-for.ts"
export * from "./api.ts"
export * from "./check-capabilities.ts"
export { complete } from "./complete.ts"
export * from "./default-services.ts"
export * from "./error-response.ts"
export type { Candidate, PreparedRequest } from "./prepare-request.ts"
export { costHeader, priceUsage, usageWithCost } from "./price-usage.ts"
export * from "./resolve-controls.ts"
export { stream } from "./stream.ts"
export * from "./validate-request.ts"
