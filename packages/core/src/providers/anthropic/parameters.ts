import type { ParameterSupport } from "../adapter.ts"

/**
 * How the Anthropic adapter treats each OpenAI chat parameter. `check-parameters.ts` enforces the
 * `ignored` (a warning) and `rejected` (a 400) entries from this very map, so it cannot lie.
 */
export const anthropicParameters: Readonly<Record<string, ParameterSupport>> = {
  model: { support: "translated", to: "model", note: "the deployment's upstream model id" },
  messages: {
    support: "translated",
    to: "`system` + `messages`",
    note: "system/developer -> system; tool results -> tool_result blocks in a user turn",
  },
  max_tokens: {
    support: "translated",
    to: "max_tokens",
    note: "required by Anthropic: the catalog's default when absent",
  },
  max_completion_tokens: { support: "translated", to: "max_tokens" },
  temperature: {
    support: "translated",
    to: "temperature",
    note: "Anthropic's range is 0-1: higher values are capped at 1; dropped with thinking",
  },
  top_p: { support: "honoured", note: "dropped (warning) when thinking is on" },
  top_k: { support: "honoured", note: "not an OpenAI parameter; passed through" },
  stop: { support: "translated", to: "stop_sequences" },
  stream: { support: "honoured" },
  stream_options: {
    support: "translated",
    to: "the final usage chunk",
    note: "Anthropic always reports usage; it reaches the client only if include_usage asked",
  },
  tools: { support: "translated", to: "`tools` (`input_schema`)" },
  tool_choice: {
    support: "translated",
    to: "tool_choice",
    note: "auto -> auto, required -> any, none -> none, a function -> tool",
  },
  parallel_tool_calls: {
    support: "translated",
    to: "tool_choice.disable_parallel_tool_use",
  },
  response_format: {
    support: "translated",
    to: "a forced `json` tool",
    note: "json_schema/json_object: the tool's input is returned as content; not with tools",
  },
  reasoning_effort: {
    support: "translated",
    to: "thinking.budget_tokens",
    note: "budget: minimal 1024, low 2048, medium 8192, high 16384, xhigh 32768 (model range)",
  },
  include_reasoning: {
    support: "translated",
    to: "`reasoning_content` + `reasoning_details` in the answer",
    note: "shows thinking when it is on (see reasoning_effort); does not turn it on",
  },
  generation_config: {
    support: "translated",
    to: "thinking",
    note: "thinking_mode speed (or x-tollgate-mode: speed) -> thinking disabled",
  },
  user: { support: "translated", to: "metadata.user_id" },
  n: { support: "rejected", note: "Anthropic returns one choice; only n=1 is accepted" },
  logprobs: { support: "rejected", note: "Anthropic returns no log probabilities" },
  top_logprobs: { support: "rejected", note: "Anthropic returns no log probabilities" },
  audio: { support: "rejected", note: "no audio output" },
  modalities: { support: "rejected", note: "text output only" },
  web_search_options: { support: "rejected", note: "not offered through this adapter" },
  presence_penalty: { support: "ignored", note: "no Anthropic counterpart" },
  frequency_penalty: { support: "ignored", note: "no Anthropic counterpart" },
  logit_bias: { support: "ignored", note: "no Anthropic counterpart" },
  seed: { support: "ignored", note: "Anthropic sampling is not seedable" },
  service_tier: { support: "ignored", note: "Anthropic's tiers differ" },
  prediction: { support: "ignored", note: "no predicted outputs" },
  store: { support: "ignored", note: "nothing is stored upstream" },
  metadata: { support: "ignored", note: "only `user` reaches metadata.user_id" },
  "(other fields)": {
    support: "ignored",
    note: "not forwarded, since Anthropic rejects unknown fields",
  },
}
