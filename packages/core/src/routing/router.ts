import { Clock, Context, Effect, Layer, Random } from "effect"
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
  /** Abandoned (the client left, or a hedge lost): says nothing about the deployment. */
  | { readonly ok: "abandoned" }

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
     * Takes a slot on a deployment; fails with a retryable `RateLimited` (carrying the time left)
     * while it cools down or while its probe is in flight.
     */
    readonly acquire: (deployment: Deployment) => Effect.Effect<void, GatewayError>
    /** Gives the slot back with what happened. Call exactly once per successful `acquire`. */
    readonly release: (deployment: Deployment, outcome: AttemptOutcome) => Effect.Effect<void>
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

/** Wait suggested to callers while a probe is in flight. */
const probeWaitMs = 50

const makeRouter = (options: CooldownOptions) => {
  const table = new Map<string, DeploymentHealth>()
  const healthOf = (id: string): DeploymentHealth => {
    let health = table.get(id)
    if (health === undefined) {
      health = freshHealth()
      table.set(id, health)
    }
    return health
  }

  const cooling = (deployment: Deployment, retryAfterMs: number) =>
    new GatewayError({
      reason: { _tag: "RateLimited", retryAfterMs },
      message: `${deployment.provider} deployment ${deployment.id} is cooling down.`,
      provider: deployment.provider,
      deployment: deployment.id,
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
        const health = healthOf(deployment.id)
        if (health.cooldownUntil > now) {
          return Effect.fail(cooling(deployment, health.cooldownUntil - now))
        }
        if (health.cooldownUntil > 0) {
          // Cooldown over but not yet proven healthy: one probe at a time.
          if (health.probing) return Effect.fail(cooling(deployment, probeWaitMs))
          health.probing = true
        }
        health.inFlight += 1
        return Effect.void
      }),

    release: (deployment, outcome) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const health = healthOf(deployment.id)
        health.inFlight = Math.max(0, health.inFlight - 1)
        if (outcome.ok === true) recordSuccess(health, outcome.latencyMs, now, options)
        else if (outcome.ok === false) recordFailure(health, outcome.error, now, options)
        else health.probing = false
      }),

    health: (id) =>
      Effect.sync(() => {
        const health = healthOf(id)
        return { ...health, samples: [...health.samples], recent: [...health.recent] }
      }),

    latencyPercentile: (id, p) => Effect.sync(() => latencyPercentile(healthOf(id), p)),
  })
}
