/** Deployment selection, health and cooldowns. */
export * from "./deployment-health.ts"
export * from "./order-deployments.ts"
export * from "./router.ts"
