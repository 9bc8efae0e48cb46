/**
 * @tollgate/core: the gateway as Effect programs. Each folder is one part of the architecture;
 * this file only re-exports them.
 */

export * from "./accounting/index.ts"
export * from "./accounting/types.ts"
export * from "./catalog/index.ts"
export * from "./catalog/types.ts"
export * from "./errors/gateway-error.ts"
export * from "./errors/request-error.ts"
export * from "./gateway/index.ts"
export * from "./openai/chat-schemas.ts"
export * from "./providers/adapter.ts"
export * from "./providers/anthropic/index.ts"
export * from "./providers/gemini/index.ts"
export * from "./providers/openai/index.ts"
export * from "./resilience/index.ts"
export * from "./routing/index.ts"
export * from "./services/admission.ts"
export * from "./services/ledger.ts"
export * from "./usage/usage.ts"
