import type { AdapterCall } from "../adapter.ts"

/** Fields only the gateway reads; an OpenAI-compatible upstream would reject or misread them. */
const gatewayOnly = ["models", "fallbacks", "generation_config", "include_reasoning"] as const

/** The upstream body and the controls that could not be honoured. */
export interface UpstreamBody {
  readonly body: Record<string, unknown>
  readonly warnings: ReadonlyArray<string>
}

/**
 * The client's request as the upstream should see it: gateway fields removed, unknown fields kept
 * as sent, the model replaced by the deployment's, and usage always requested on streams (the
 * gateway bills from it even when the client did not ask for it).
 */
export const buildRequestBody = (call: AdapterCall, stream: boolean): UpstreamBody => {
  const body: Record<string, unknown> = { ...call.request, model: call.deployment.upstreamModel }
  const warnings: Array<string> = []
  for (const field of gatewayOnly) delete body[field]

  if (stream) {
    body.stream = true
    body.stream_options = { ...call.request.stream_options, include_usage: true }
  } else {
    delete body.stream
    delete body.stream_options
  }

  // Reasoning: only models with an effort control take `reasoning_effort`; speed mode asks for the
  // least effort the model accepts.
  const thinking = call.model.thinking
  if (thinking.kind === "effort") {
    const effort = call.controls.speed ? thinking.speed : call.controls.reasoningEffort
    if (effort === undefined) delete body.reasoning_effort
    else body.reasoning_effort = effort

    // Reasoning models refuse the legacy name; the meaning is the same.
    if (body.max_tokens != null && body.max_completion_tokens == null) {
      body.max_completion_tokens = body.max_tokens
      delete body.max_tokens
    }
  } else if (body.reasoning_effort != null) {
    delete body.reasoning_effort
    warnings.push(`reasoning_effort ignored: ${call.model.id} has no reasoning control`)
  }

  return { body, warnings }
}
