/** The model catalog: default models, config-built catalogs and id resolution. */
export * from "./catalog-from-config.ts"
export * from "./default-catalog.ts"
export * from "./default-resilience.ts"
export * from "./edit-distance.ts"
export * from "./resolve-model.ts"
