import {
  defaultCatalog,
  defaultPriceBook,
  findPrice,
  type WorstCase,
  worstCaseOf,
} from "@tollgate/core"

/** A chat request as the tests send it: one user message and an explicit `max_tokens`. */
export interface SimpleRequest {
  readonly model: string
  readonly messages: Array<{ role: "user"; content: string }>
  readonly max_tokens: number
}

/**
 * The worst case the gateway reserves for `request`, computed as the engine does
 * (`prepareRequest`): the default price of the model and its output limit from the catalog.
 */
export const gatewayWorstCase = (request: SimpleRequest): WorstCase => {
  const catalog = defaultCatalog({ emulatorUrl: "http://emulator.invalid" })
  const model = catalog.models.get(request.model)
  const price = findPrice(defaultPriceBook, request.model)
  if (model === undefined || price === undefined) throw new Error(`no price for ${request.model}`)
  return worstCaseOf(request, price, model.maxOutputTokens)
}
