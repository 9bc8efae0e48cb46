import { APIError } from "openai"

/** How one call ended: its answer, or the API error the `openai` client threw. */
export type Outcome<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: APIError }

/** Calls started at once, and a count of those that have ended. */
export interface Running<A> {
  readonly settled: () => number
  readonly all: Promise<ReadonlyArray<Outcome<A>>>
}

/**
 * Starts `count` calls without waiting between them. An error that is not an API error (a
 * network failure) rejects `all`, so that it fails the test instead of counting as a refusal.
 */
export const runConcurrently = <A>(count: number, start: (i: number) => Promise<A>): Running<A> => {
  let settled = 0
  const calls = Array.from({ length: count }, (_, i) =>
    start(i)
      .then(
        (value): Outcome<A> => ({ ok: true, value }),
        (error: unknown): Outcome<A> => {
          if (error instanceof APIError) return { ok: false, error }
          throw error
        },
      )
      .finally(() => {
        settled += 1
      }),
  )
  return { settled: () => settled, all: Promise.all(calls) }
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs` naming `what`. */
export const waitFor = async (
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Polls `attempt` until it reports a refusal, and returns when the last accepted attempt
 * started. A promise "refused within D after t" holds exactly when no attempt that started
 * later than t + D was accepted, whatever each attempt's own latency.
 */
export const lastAcceptedStart = async (
  attempt: () => Promise<"accepted" | "refused">,
  timeoutMs = 10_000,
): Promise<number | undefined> => {
  let last: number | undefined
  await waitFor(
    "a refusal",
    async () => {
      const startedAt = Date.now()
      if ((await attempt()) === "refused") return true
      last = startedAt
      return false
    },
    timeoutMs,
  )
  return last
}
