import { Data } from "effect"

/**
 * A failure the user can act on (gateway down, no key, an error answer). `bin.ts` prints its
 * message as one line on stderr and exits 1, without a stack.
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{ readonly message: string }> {}

/** A `CliFailure` with this message. */
export const cliFailure = (message: string): CliFailure => new CliFailure({ message })
