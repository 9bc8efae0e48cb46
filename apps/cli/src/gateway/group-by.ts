/** The dimensions `GET /v1/usage` groups by. */
export const GROUP_BY = ["model", "key", "day", "provider"] as const

/** One of `GROUP_BY`. */
export type GroupBy = (typeof GROUP_BY)[number]
