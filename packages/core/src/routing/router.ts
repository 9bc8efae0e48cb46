import { Clock, Context, Deferred, Effect, Layer, Random } from "effect"
import type { Deployment, ModelInfo } from "../catalog/types.ts"
import { GatewayError } from "../errors/gateway-error.ts"
import {
  type CooldownOptions,
  type DeploymentHealth,
  defaultCooldownOptions,
  freshHealth,
  latencyPercentile,
  recordFailure,
  recordSuccess,
} from "./deployment-health.ts"
import { orderDeployments } from "./order-deployments.ts"

/** How an attempt on a deployment ended, as the router learns it. */
export type AttemptOutcome =
  | { readonly ok: true; readonly latencyMs?: number }
  | { readonly ok: false; readonly error: GatewayError }
  /** Abandoned (the client left, a hedge lost) or already reported: says nothing new. */
  | { readonly ok: "abandoned" }

/**
 * One request's place on a deployment, from `acquire` (or a granted wait) to `release`.
 * Releasing twice is harmless, so a stream's scope and its attempt may both try.
 */
export interface Slot {
  readonly deployment: Deployment
  /** True while this slot is the single probe after a cooldown. */
  probe: boolean
  /** True once the outcome was reported (`settle`) while the slot is still held. */
  settled: boolean
  released: boolean
}

/**
 * Deployment selection and health for the app's lifetime: strategy order, in-flight counts,
 * latency averages and cooldowns (then one probe before full traffic). Provide it once per app.
 */
export class Router extends Context.Service<
  Router,
  {
    /** The model's deployments in the order to try them. */
    readonly order: (model: ModelInfo) => Effect.Effect<ReadonlyArray<Deployment>>
    /**
     * Takes a slot on a deployment now, after any requests already waiting for it; fails with a
     * retryable `RateLimited` (carrying the time left) while it cools down or its probe is out.
     */
    readonly acquire: (deployment: Deployment) => Effect.Effect<Slot, GatewayError>
    /**
     * Waits, first come first served, for a slot on whichever of `deployments` admits traffic
     * first: at a cooldown's end (as its probe) or the moment a probe succeeds. Undefined when
     * none can admit before `until` (epoch ms); an interrupted wait gives its slot back.
     */
    readonly waitForAny: (
      deployments: ReadonlyArray<Deployment>,
      until: number,
    ) => Effect.Effect<Slot | undefined>
    /** Reports the outcome and keeps the slot: a stream whose first token arrived. */
    readonly settle: (slot: Slot, outcome: AttemptOutcome) => Effect.Effect<void>
    /**
     * Gives the slot back with what happened (after `settle`, only a failure is news); once per
     * slot, later calls do nothing.
     */
    readonly release: (slot: Slot, outcome: AttemptOutcome) => Effect.Effect<void>
    /** A copy of a deployment's health, for tests and `/health`. */
    readonly health: (deploymentId: string) => Effect.Effect<DeploymentHealth>
    /** The p-th percentile (0..1) of a deployment's recent latencies, once enough were seen. */
    readonly latencyPercentile: (
      deploymentId: string,
      p: number,
    ) => Effect.Effect<number | undefined>
  }
>()("tollgate/Router") {
  /** The in-memory router with the given cooldown tuning. */
  static readonly layerWith = (options: Partial<CooldownOptions> = {}) =>
    Layer.sync(Router, () => makeRouter({ ...defaultCooldownOptions, ...options }))

  /** The in-memory router with default cooldowns. */
  static readonly layer = Router.layerWith()
}

/** Time left suggested by a refusal while a probe is out (its result, not a timer, ends it). */
const probeWaitMs = 50

/** A request waiting for a slot on any of several deployments. */
interface Waiter {
  readonly deferred: Deferred.Deferred<Slot>
  /** The slot a deployment granted; set at most once. */
  granted: Slot | undefined
  /** Given up (deadline, interruption): grants skip it. */
  gone: boolean
}

/** What a deployment admits now: everyone, a single probe, or nobody. */
const admits = (health: DeploymentHealth, now: number): "open" | "probe" | "closed" => {
  if (health.cooldownUntil > now) return "closed"
  if (health.cooldownUntil > 0) return health.probing ? "closed" : "probe"
  return "open"
}

const makeRouter = (options: CooldownOptions) => {
  const table = new Map<string, DeploymentHealth>()
  const queues = new Map<string, Array<Waiter>>()

  const healthOf = (id: string): DeploymentHealth => {
    let health = table.get(id)
    if (health === undefined) {
      health = freshHealth()
      table.set(id, health)
    }
    return health
  }

  const queueOf = (id: string): Array<Waiter> => {
    let queue = queues.get(id)
    if (queue === undefined) {
      queue = []
      queues.set(id, queue)
    }
    return queue
  }

  // Takes a slot if the deployment admits one now; undefined when closed.
  const take = (deployment: Deployment, now: number): Slot | undefined => {
    const health = healthOf(deployment.id)
    const mode = admits(health, now)
    if (mode === "closed") return undefined
    if (mode === "probe") health.probing = true
    health.inFlight += 1
    return { deployment, probe: mode === "probe", settled: false, released: false }
  }

  // Hands slots to the waiters of a deployment in arrival order, for as long as it admits them.
  const pump = (deployment: Deployment, now: number) => {
    const queue = queues.get(deployment.id)
    while (queue !== undefined && queue.length > 0) {
      const waiter = queue[0] as Waiter
      if (waiter.gone || waiter.granted !== undefined) {
        queue.shift()
        continue
      }
      const slot = take(deployment, now)
      if (slot === undefined) return
      queue.shift()
      waiter.granted = slot
      Deferred.doneUnsafe(waiter.deferred, Effect.succeed(slot))
    }
  }

  const report = (slot: Slot, outcome: AttemptOutcome, now: number) => {
    const health = healthOf(slot.deployment.id)
    // Only the probe's own outcome may end or prolong a probe:
    if (slot.probe) health.probing = false
    if (outcome.ok === true) recordSuccess(health, outcome.latencyMs, now, options)
    else if (outcome.ok === false) recordFailure(health, outcome.error, slot.probe, now, options)
    slot.probe = false
  }

  const release = (slot: Slot, outcome: AttemptOutcome, now: number) => {
    if (slot.released) return
    slot.released = true
    const health = healthOf(slot.deployment.id)
    health.inFlight = Math.max(0, health.inFlight - 1)
    // A stream's first token was reported already; a failure after it still counts:
    if (!slot.settled || outcome.ok === false) report(slot, outcome, now)
    pump(slot.deployment, now)
  }

  const cooling = (deployment: Deployment, retryAfterMs: number) =>
    new GatewayError({
      reason: { _tag: "RateLimited", retryAfterMs },
      message: `${deployment.provider} deployment ${deployment.id} is cooling down.`,
      provider: deployment.provider,
      deployment: deployment.id,
    })

  // Waits on the grant, waking only at a cooldown's end to hand out its probe (a probe's
  // result wakes waiters through `release`, not a timer).
  const awaitGrant = (
    waiter: Waiter,
    deployments: ReadonlyArray<Deployment>,
    until: number,
  ): Effect.Effect<Slot | undefined> =>
    Effect.gen(function* () {
      while (waiter.granted === undefined) {
        const now = yield* Clock.currentTimeMillis
        if (now >= until) return undefined
        let wakeAt = until
        for (const d of deployments) {
          const end = healthOf(d.id).cooldownUntil
          if (end > now) wakeAt = Math.min(wakeAt, end)
        }
        yield* Effect.raceFirst(Deferred.await(waiter.deferred), Effect.sleep(wakeAt - now))
        const later = yield* Clock.currentTimeMillis
        for (const d of deployments) if (waiter.granted === undefined) pump(d, later)
      }
      return waiter.granted
    })

  return Router.of({
    order: (model) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const draws: Array<number> = []
        for (let i = 0; i < model.deployments.length; i++) draws.push(yield* Random.next)
        let next = 0
        return orderDeployments(
          model.deployments,
          model.routing,
          healthOf,
          now,
          () => draws[next++] ?? 0,
        )
      }),

    acquire: (deployment) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        // Requests already waiting go first:
        pump(deployment, now)
        const slot = queueOf(deployment.id).length === 0 ? take(deployment, now) : undefined
        if (slot !== undefined) return Effect.succeed(slot)
        const health = healthOf(deployment.id)
        return Effect.fail(cooling(deployment, Math.max(probeWaitMs, health.cooldownUntil - now)))
      }),

    waitForAny: (deployments, until) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        for (const d of deployments) {
          pump(d, now)
          const slot = queueOf(d.id).length === 0 ? take(d, now) : undefined
          if (slot !== undefined) return Effect.succeed(slot)
        }
        // Known to stay closed past `until` (no probe out that could reopen one): no wait.
        const hopeless = deployments.every((d) => {
          const health = healthOf(d.id)
          return !health.probing && health.cooldownUntil >= until
        })
        if (hopeless) return Effect.succeed(undefined)

        const waiter: Waiter = { deferred: Deferred.makeUnsafe(), granted: undefined, gone: false }
        for (const d of deployments) queueOf(d.id).push(waiter)
        return awaitGrant(waiter, deployments, until).pipe(
          Effect.onExit((exit) =>
            Effect.flatMap(Clock.currentTimeMillis, (end) =>
              Effect.sync(() => {
                waiter.gone = true
                for (const d of deployments) {
                  const queue = queueOf(d.id)
                  const at = queue.indexOf(waiter)
                  if (at !== -1) queue.splice(at, 1)
                }
                // Granted, but its request is gone: the slot goes to the next in line.
                if (exit._tag === "Failure" && waiter.granted !== undefined) {
                  release(waiter.granted, { ok: "abandoned" }, end)
                }
              }),
            ),
          ),
        )
      }),

    settle: (slot, outcome) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (slot.released || slot.settled) return
        report(slot, outcome, now)
        slot.settled = true
        pump(slot.deployment, now)
      }),

    release: (slot, outcome) =>
      Effect.map(Clock.currentTimeMillis, (now) => release(slot, outcome, now)),

    health: (id) =>
      Effect.sync(() => {
        const health = healthOf(id)
        return { ...health, samples: [...health.samples], recent: [...health.recent] }
      }),

    latencyPercentile: (id, p) => Effect.sync(() => latencyPercentile(healthOf(id), p)),
  })
}
