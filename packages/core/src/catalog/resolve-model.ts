import { Effect } from "effect"
import { RequestError } from "../errors/request-error.ts"
import { closestIds } from "./edit-distance.ts"
import type { Catalog, ModelInfo } from "./types.ts"

/** A model name as quoted back in a message: a client may send any string. */
const shown = (id: string): string => (id.length > 128 ? `${id.slice(0, 128)}...` : id)

/**
 * Finds a model by the id a client sent. Exact ids win; `provider/model` resolves when exactly one
 * model of that provider (maker or deployment provider) has that id; lookups ignore case.
 */
export const findModel = (catalog: Catalog, id: string): ModelInfo | undefined => {
  const exact = catalog.models.get(id)
  if (exact !== undefined) return exact

  const lower = id.toLowerCase()
  const all = [...catalog.models.values()]
  const byCase = all.filter((m) => m.id.toLowerCase() === lower)
  if (byCase.length === 1) return byCase[0]

  const slash = lower.indexOf("/")
  if (slash <= 0) return undefined

  const provider = lower.slice(0, slash)
  const rest = lower.slice(slash + 1)
  const matches = all.filter(
    (m) =>
      m.id.toLowerCase() === rest &&
      (m.provider.toLowerCase() === provider ||
        m.deployments.some((d) => d.provider.toLowerCase() === provider)),
  )
  return matches.length === 1 ? matches[0] : undefined
}

/** The 404 for an unknown model, suggesting the closest known ids. */
export const modelNotFound = (catalog: Catalog, id: string): RequestError => {
  const bare = id.includes("/") ? id.slice(id.indexOf("/") + 1) : id
  const suggestions = closestIds(bare, catalog.models.keys())
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.join(", ")}?` : ""
  return new RequestError({
    status: 404,
    message: `The model \`${shown(id)}\` does not exist.${hint}`,
    type: "invalid_request_error",
    code: "model_not_found",
    param: "model",
  })
}

/** Resolves a client's model id, failing with a 404 `model_not_found` with suggestions. */
export const resolveModel = (
  catalog: Catalog,
  id: string,
): Effect.Effect<ModelInfo, RequestError> =>
  Effect.suspend(() => {
    const model = findModel(catalog, id)
    return model === undefined ? Effect.fail(modelNotFound(catalog, id)) : Effect.succeed(model)
  })
