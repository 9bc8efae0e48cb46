import { seededRandom } from "./seeded-random.ts"
import type { Fault, FaultTarget, RandomProfile } from "./types.ts"

type QueuedFault = { fault: Fault; model: string | undefined; remaining: number }

/** Queued faults and the seeded random profile; header and model-suffix faults come first. */
export type FaultChooser = {
  enqueue: (fault: Fault, target?: FaultTarget) => void
  setRandom: (random: RandomProfile | undefined) => void
  /** The fault for a request to `model` (its suffix already removed), if any. */
  take: (model: string | undefined) => Fault | undefined
  clear: () => void
}

const statuses5xx = [500, 502, 503]

/** Make a chooser; `random` is the initial profile. */
export const makeFaultChooser = (random: RandomProfile | undefined): FaultChooser => {
  const queue: QueuedFault[] = []
  let profile = random
  let draw = seededRandom(random?.seed ?? 1)

  const fromQueue = (model: string | undefined): Fault | undefined => {
    const index = queue.findIndex((entry) => entry.model === undefined || entry.model === model)
    const entry = queue[index]
    if (entry === undefined) return undefined
    entry.remaining--
    if (entry.remaining <= 0) queue.splice(index, 1)
    return entry.fault
  }

  // One draw per request walks the cumulative probabilities, so the rates add up as configured:
  const fromRandom = (): Fault | undefined => {
    if (profile === undefined) return undefined
    let roll = draw()
    const steps: Array<[number | undefined, () => Fault]> = [
      [
        profile.status5xx,
        () => ({ kind: "status", status: statuses5xx[Math.floor(draw() * 3)] ?? 503 }),
      ],
      [
        profile.status429,
        () => ({ kind: "rate-limit", retryAfterSeconds: profile?.retryAfterSeconds ?? 1 }),
      ],
      [profile.reset, () => ({ kind: "reset" })],
      [profile.stall, () => ({ kind: "stall" })],
      [profile.slow?.probability, () => ({ kind: "delay", ms: profile?.slow?.delayMs ?? 0 })],
    ]
    for (const [probability, make] of steps) {
      if (probability === undefined || probability <= 0) continue
      if (roll < probability) return make()
      roll -= probability
    }
    return undefined
  }

  return {
    enqueue: (fault, target) => {
      queue.push({ fault, model: target?.model, remaining: target?.times ?? 1 })
    },
    setRandom: (next) => {
      profile = next
      draw = seededRandom(next?.seed ?? 1)
    },
    take: (model) => fromQueue(model) ?? fromRandom(),
    clear: () => {
      queue.length = 0
      profile = undefined
    },
  }
}
