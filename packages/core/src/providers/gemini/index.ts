/** The Gemini upstream adapter: OpenAI chat requests over `generateContent`. */
export { geminiAdapter } from "./gemini-adapter.ts"
export { geminiParameters } from "./parameters.ts"
