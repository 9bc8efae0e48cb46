import type { Exchange } from "../exchange.ts"
import { openaiError } from "./openai-errors.ts"

/** Models `GET /v1/models` lists when the options name none. */
export const defaultModels: ReadonlyArray<string> = [
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-4o-mini",
  "o4-mini",
  "gpt-5",
  "deepseek-chat",
  "deepseek-reasoner",
  "deepseek-v3.2",
]

const modelObject = (id: string) => ({
  id,
  object: "model",
  created: 1735689600,
  owned_by: "emulator",
})

/** Answer `GET /v1/models` and `GET /v1/models/{id}` (404 `model_not_found` when unknown). */
export const answerModels = (exchange: Exchange, models: ReadonlyArray<string>, id?: string) => {
  if (id === undefined) {
    return exchange.sendJson(200, { object: "list", data: models.map(modelObject) })
  }
  if (!models.includes(id)) {
    return exchange.sendError(
      openaiError(404, `The model '${id}' does not exist or you do not have access to it.`, {
        code: "model_not_found",
      }),
    )
  }
  exchange.sendJson(200, modelObject(id))
}
