/** The OpenAI-compatible upstream adapter. */
export * from "./build-request-body.ts"
export * from "./convert-usage.ts"
export * from "./map-error-response.ts"
export { openaiAdapter } from "./openai-adapter.ts"
export * from "./parameters.ts"
export * from "./parse-chunk.ts"
