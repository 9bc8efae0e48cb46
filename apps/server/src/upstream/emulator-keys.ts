import type { Catalog } from "@tollgate/core"
import { Redacted } from "effect"

const EMULATOR_KEY = Redacted.make("tollgate-emulator")

/**
 * Gives emulated deployments a placeholder key: the emulator, like the APIs it stands in for,
 * refuses a request without one (Gemini's "API key not valid"), and the default catalog leaves
 * emulated deployments keyless. Real deployments are untouched.
 */
export const withEmulatorKeys = (catalog: Catalog): Catalog => ({
  models: new Map(
    [...catalog.models].map(([id, model]) => [
      id,
      {
        ...model,
        deployments: model.deployments.map((d) =>
          d.emulated && d.apiKey === undefined ? { ...d, apiKey: EMULATOR_KEY } : d,
        ),
      },
    ]),
  ),
})
