import { Effect, Layer } from "effect"
import { Admission } from "../services/admission.ts"
import { Ledger, type LedgerEntry } from "../services/ledger.ts"

/** Admission that lets everything through: for apps without keys or budgets, and for tests. */
export const admissionAllowAll: Layer.Layer<Admission> = Layer.succeed(
  Admission,
  Admission.of({
    admit: (request) => Effect.succeed({ id: request.requestId, headers: {} }),
    settle: () => Effect.void,
  }),
)

/** A ledger that keeps entries in an array (`entries`), for tests and throwaway runs. */
export const inMemoryLedger = () => {
  const entries: Array<LedgerEntry> = []
  const layer = Layer.succeed(
    Ledger,
    Ledger.of({
      record: (entry) => Effect.sync(() => void entries.push(entry)),
      flush: Effect.void,
      usage: () => Effect.succeed([]),
    }),
  )
  return { entries, layer }
}

/** A ledger that forgets everything. */
export const ledgerNoop: Layer.Layer<Ledger> = Layer.succeed(
  Ledger,
  Ledger.of({ record: () => Effect.void, flush: Effect.void, usage: () => Effect.succeed([]) }),
)
