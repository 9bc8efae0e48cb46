import type { Emulator, RecordedRequest } from "@tollgate/emulator"

/**
 * Every request the emulators recorded, once none is still in flight: an aborted upstream call
 * is noticed by the emulator a moment after the gateway gives up. Bounded by `withinMs`.
 */
export const settledRecords = async (
  upstreams: ReadonlyArray<Emulator>,
  withinMs = 2_000,
): Promise<ReadonlyArray<RecordedRequest>> => {
  const all = () => upstreams.flatMap((u) => u.requests)
  const until = Date.now() + withinMs
  while (all().some((r) => r.outcome === "in-flight") && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 20))
  return all()
}
