/**
 * Accounting: list prices, exact cost of a request, worst-case cost for budget reservation,
 * and the billing currency. Pure code: no I/O, no configuration read here.
 */

export * from "./cost.ts"
export * from "./count-tokens.ts"
export * from "./currency.ts"
export * from "./merge-prices.ts"
export * from "./parse-decimal.ts"
export * from "./price-catalog.ts"
export * from "./types.ts"
export * from "./worst-case.ts"
