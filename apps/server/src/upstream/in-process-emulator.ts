import { startEmulator } from "@tollgate/emulator"
import { Effect } from "effect"

/**
 * Starts the built-in emulator on an ephemeral loopback port for the lifetime of the scope, so
 * that a gateway without provider keys still answers (clearly marked as emulated).
 */
export const inProcessEmulator = Effect.acquireRelease(
  Effect.promise(() => startEmulator({ port: 0 })),
  (emulator) => Effect.promise(() => emulator.close()),
).pipe(Effect.map((emulator) => emulator.url))
