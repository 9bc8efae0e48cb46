import type { Deployment, RoutingStrategy } from "../catalog/types.ts"
import type { DeploymentHealth } from "./deployment-health.ts"

/** Picks a weighted random order: each position drawn in proportion to the remaining weights. */
const weightedOrder = (
  deployments: ReadonlyArray<Deployment>,
  random: () => number,
): ReadonlyArray<Deployment> => {
  const left = [...deployments]
  const ordered: Array<Deployment> = []
  while (left.length > 0) {
    const total = left.reduce((sum, d) => sum + Math.max(0, d.weight), 0)
    let point = random() * total
    let index = left.findIndex((d) => {
      point -= Math.max(0, d.weight)
      return point < 0
    })
    if (index === -1) index = 0
    ordered.push(...left.splice(index, 1))
  }
  return ordered
}

/**
 * Orders a model's deployments by the strategy; deployments in cooldown go last, soonest to
 * recover first, so they are only tried when nothing healthy is left.
 */
export const orderDeployments = (
  deployments: ReadonlyArray<Deployment>,
  strategy: RoutingStrategy,
  healthOf: (id: string) => DeploymentHealth,
  now: number,
  random: () => number,
): ReadonlyArray<Deployment> => {
  const cooling = (d: Deployment) => healthOf(d.id).cooldownUntil > now
  const healthy = deployments.filter((d) => !cooling(d))
  const resting = deployments
    .filter(cooling)
    .sort((a, b) => healthOf(a.id).cooldownUntil - healthOf(b.id).cooldownUntil)

  const ranked =
    strategy === "latency"
      ? [...healthy].sort(
          // Unmeasured deployments first, so each gets measured:
          (a, b) => (healthOf(a.id).latencyMs ?? -1) - (healthOf(b.id).latencyMs ?? -1),
        )
      : strategy === "least-busy"
        ? [...healthy].sort(
            (a, b) => healthOf(a.id).inFlight - healthOf(b.id).inFlight || b.weight - a.weight,
          )
        : weightedOrder(healthy, random)

  return [...ranked, ...resting]
}
