import type { Fault } from "./types.ts"

/** A fault spec that could not be read; the emulator answers it with a 400. */
export class FaultSpecError extends Error {}

const positiveNumber = (spec: string, value: string | undefined): number => {
  const parsed = Number(value)
  if (value === undefined || value === "" || !Number.isFinite(parsed) || parsed < 0) {
    throw new FaultSpecError(`fault "${spec}": expected a non-negative number`)
  }
  return parsed
}

/**
 * Read the fault grammar shared by the `x-emulator-fault` header and the model-name suffix:
 * `status=503;retry-after=1;message=...`, `rate-limit=1`, `quota`, `overloaded`, `reset`,
 * `stall`, `cut=3`, `stream-error=2`, `delay=2000`, `blocked`, `malformed-tool-call`.
 */
export const parseFault = (spec: string): Fault => {
  const [head = "", ...rest] = spec.split(";").map((part) => part.trim())
  const [kind = "", value] = head.split("=", 2)
  const params = new Map(
    rest.map((part) => {
      const at = part.indexOf("=")
      return at < 0 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)]
    }),
  )

  switch (kind) {
    case "status": {
      const status = positiveNumber(spec, value)
      const retryAfter = params.get("retry-after")
      const message = params.get("message")
      return {
        kind: "status",
        status,
        ...(retryAfter === undefined
          ? {}
          : { retryAfterSeconds: positiveNumber(spec, retryAfter) }),
        ...(message === undefined ? {} : { message }),
      }
    }
    case "rate-limit":
      return {
        kind: "rate-limit",
        retryAfterSeconds: value === undefined ? 1 : positiveNumber(spec, value),
      }
    case "cut":
      return { kind: "cut", afterChunks: positiveNumber(spec, value) }
    case "stream-error":
      return { kind: "stream-error", afterChunks: positiveNumber(spec, value) }
    case "delay":
      return { kind: "delay", ms: positiveNumber(spec, value) }
    case "quota":
    case "overloaded":
    case "reset":
    case "stall":
    case "blocked":
    case "malformed-tool-call":
      return { kind }
    default:
      throw new FaultSpecError(`unknown fault "${spec}"`)
  }
}

/** Split `gpt-4.1~status=503` into the model the answer names and the fault it asks for. */
export const splitModelFault = (model: string): { model: string; fault: Fault | undefined } => {
  const at = model.indexOf("~")
  if (at < 0) return { model, fault: undefined }
  return { model: model.slice(0, at), fault: parseFault(model.slice(at + 1)) }
}
