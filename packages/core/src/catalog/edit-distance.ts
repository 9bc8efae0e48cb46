/** Levenshtein distance between two strings; small inputs only (model ids). */
export const editDistance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)

  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }

  return previous[b.length] ?? 0
}

/** Up to `limit` candidates closest to `target`, nearest first, ties in catalog order. */
export const closestIds = (
  target: string,
  candidates: Iterable<string>,
  limit = 3,
): ReadonlyArray<string> => {
  const wanted = target.toLowerCase()
  return [...candidates]
    .map((id, order) => ({ id, order, distance: editDistance(wanted, id.toLowerCase()) }))
    .filter((c) => c.distance <= Math.max(3, Math.ceil(c.id.length / 2)))
    .sort((x, y) => x.distance - y.distance || x.order - y.order)
    .slice(0, limit)
    .map((c) => c.id)
}
