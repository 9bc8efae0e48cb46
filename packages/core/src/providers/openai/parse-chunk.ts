import { Result } from "effect"
import type { Deployment } from "../../catalog/types.ts"
import { GatewayError } from "../../errors/gateway-error.ts"
import { ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import { normaliseWireUsage } from "./convert-usage.ts"
import { parseErrorDetail } from "./map-error-response.ts"

const invalid = (deployment: Deployment, why: string) =>
  new GatewayError({
    reason: { _tag: "InvalidOutput" },
    message: `${deployment.provider} sent an unreadable stream event: ${why}`,
    provider: deployment.provider,
    deployment: deployment.id,
  })

/** xAI omits `finish_reason` until the last chunk; the wire format has it as `null`. */
const withNullFinishReasons = (json: unknown): unknown => {
  if (typeof json !== "object" || json === null || !("choices" in json)) return json
  if (!Array.isArray(json.choices)) return json
  const choices: Array<unknown> = json.choices.map((choice: unknown) =>
    typeof choice === "object" && choice !== null && !("finish_reason" in choice)
      ? { ...choice, finish_reason: null }
      : choice,
  )
  return { ...json, choices }
}

/**
 * One SSE `data:` payload -> the chunks to pass on. `[DONE]` yields none; a chunk carrying both
 * choices and usage (DeepSeek) is split so usage always arrives alone with `choices: []`; an
 * `error` event mid-stream becomes a failure.
 */
export const parseChunk = (
  data: string,
  deployment: Deployment,
): Result.Result<ReadonlyArray<ChatCompletionChunk>, GatewayError> => {
  if (data.trim() === "[DONE]") return Result.succeed([])

  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return Result.fail(invalid(deployment, "not JSON"))
  }

  if (typeof json === "object" && json !== null && "error" in json) {
    const detail = parseErrorDetail(data)
    return Result.fail(
      new GatewayError({
        reason: { _tag: "ProviderError" },
        message: `${deployment.provider} failed mid-stream: ${detail.message ?? "unknown error"}`,
        provider: deployment.provider,
        deployment: deployment.id,
      }),
    )
  }

  const parsed = ChatCompletionChunk.safeParse(withNullFinishReasons(json))
  if (!parsed.success)
    return Result.fail(invalid(deployment, parsed.error.issues[0]?.message ?? ""))

  const { usage: raw, ...chunk } = parsed.data
  if (raw == null) return Result.succeed([chunk])
  const usage = normaliseWireUsage(raw)
  if (chunk.choices.length === 0) return Result.succeed([{ ...chunk, usage }])
  return Result.succeed([chunk, { ...chunk, choices: [], usage }])
}
