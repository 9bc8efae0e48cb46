/** A local stand-in for the OpenAI, Gemini and Anthropic APIs, for tests and benchmarks. */

export { FaultSpecError, parseFault, splitModelFault } from "./parse-fault.ts"
export { startEmulator } from "./server.ts"
export { countTokens } from "./tokens.ts"
export type {
  Api,
  Emulator,
  EmulatorOptions,
  Fault,
  FaultTarget,
  Outcome,
  RandomProfile,
  RecordedRequest,
} from "./types.ts"
