/** How many levels of arrays and objects a request field may nest (JSON.stringify recurses). */
export const MAX_JSON_DEPTH = 64

/**
 * The first top-level field of `body` whose value nests arrays and objects more than `limit`
 * levels deep, or undefined. Iterative, so a body nested 100,000 levels cannot overflow the
 * stack here, and the work stays bounded by the body's size.
 */
export const findTooDeepField = (
  body: object,
  limit: number = MAX_JSON_DEPTH,
): string | undefined => {
  for (const [field, value] of Object.entries(body)) {
    const pending: Array<[unknown, number]> = [[value, 1]]

    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [item, depth] = next
      if (typeof item !== "object" || item === null) continue
      if (depth > limit) return field
      for (const child of Object.values(item)) pending.push([child, depth + 1])
    }
  }
  return undefined
}
