import {
  findModel,
  GatewayConfig,
  type ModelInfo,
  modelNotFound,
  type Principal,
} from "@tollgate/core"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { authenticateRequest } from "../auth/authenticate-request.ts"
import { handleRequest } from "../http/handle-request.ts"
import { ServerContext } from "../server-context.ts"

/** `owned_by`: the maker, marked when the built-in emulator answers in its place. */
export const ownedBy = (model: ModelInfo): string =>
  model.deployments.length > 0 && model.deployments.every((d) => d.emulated)
    ? `${model.provider} (emulated)`
    : model.provider

const toWireModel = (model: ModelInfo, created: number) => ({
  id: model.id,
  object: "model" as const,
  created,
  owned_by: ownedBy(model),
})

const visibleTo = (principal: Principal, model: ModelInfo): boolean =>
  principal.allowedModels === undefined || principal.allowedModels.includes(model.id)

const decodeId = (raw: string): string => {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** `GET /v1/models`: the catalog in OpenAI's list shape, filtered to what the key may use. */
const listModels = HttpRouter.add(
  "GET",
  "/v1/models",
  handleRequest((info) =>
    Effect.gen(function* () {
      const server = yield* ServerContext
      const principal = yield* authenticateRequest(info.request)
      const { catalog } = yield* GatewayConfig
      const data = [...catalog.models.values()]
        .filter((model) => visibleTo(principal, model))
        .map((model) => toWireModel(model, server.startedAt))
      return HttpServerResponse.jsonUnsafe({ object: "list", data })
    }),
  ),
)

/**
 * `GET /v1/models/{id}`: one model; the id may be provider-prefixed (`google/gemini-3.1-flash`),
 * hence the wildcard. Unknown ids get the 404 with suggestions.
 */
const retrieveModel = HttpRouter.add(
  "GET",
  "/v1/models/*",
  handleRequest((info) =>
    Effect.gen(function* () {
      const server = yield* ServerContext
      const principal = yield* authenticateRequest(info.request)
      const params = yield* HttpRouter.params
      const id = decodeId(params["*"] ?? "")
      info.log.model = id.slice(0, 200)
      const { catalog } = yield* GatewayConfig
      const model = findModel(catalog, id)
      if (model === undefined || !visibleTo(principal, model)) {
        return yield* modelNotFound(catalog, id)
      }
      return HttpServerResponse.jsonUnsafe(toWireModel(model, server.startedAt))
    }),
  ),
)

/** The two model routes. */
export const modelRoutes = Layer.mergeAll(listModels, retrieveModel)
