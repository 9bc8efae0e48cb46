/** Virtual keys: the key store, the key format, and the admin API's JSON bodies. */
export * from "./key-cache.ts"
export * from "./key-format.ts"
export * from "./key-info.ts"
export * from "./key-json.ts"
export * from "./key-store.ts"
