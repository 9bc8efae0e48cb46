import { badRequest, type RequestError } from "@tollgate/core"
import type { KeyUpdate } from "./key-info.ts"

const positiveInt = (value: number | null | undefined) =>
  value === null || value === undefined || (Number.isSafeInteger(value) && value > 0)

/**
 * The first thing wrong with a key's settings, as a 400 naming the field; undefined when they
 * are fine. `create` and `update` both check the merged result.
 */
export const invalidSettings = (settings: KeyUpdate & { creditNanoUsd?: bigint }) => {
  const fail = (param: string, message: string): RequestError => badRequest(message, param)

  if (settings.name !== undefined && (settings.name.trim() === "" || settings.name.length > 200))
    return fail("name", "name must be 1 to 200 characters")

  if (settings.allowedModels?.some((model) => model.trim() === ""))
    return fail("allowed_models", "allowed_models must not contain empty names")

  for (const param of ["defaultMaxTokens", "maxTokensCeiling", "rpm", "tpm"] as const) {
    if (!positiveInt(settings[param])) return fail(param, `${param} must be a positive integer`)
  }

  const { defaultMaxTokens, maxTokensCeiling } = settings
  if (
    typeof defaultMaxTokens === "number" &&
    typeof maxTokensCeiling === "number" &&
    defaultMaxTokens > maxTokensCeiling
  )
    return fail("defaultMaxTokens", "defaultMaxTokens must not exceed maxTokensCeiling")

  if (typeof settings.budgetNanoUsd === "bigint" && settings.budgetNanoUsd < 0n)
    return fail("budget", "budget must not be negative")

  if (settings.creditNanoUsd !== undefined && settings.creditNanoUsd < 0n)
    return fail("credit", "credit must not be negative")

  return undefined
}
