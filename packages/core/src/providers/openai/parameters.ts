import type { ParameterSupport } from "../adapter.ts"

/** How the OpenAI-compatible adapter treats each OpenAI parameter (for the docs table). */
export const openaiParameters: Readonly<Record<string, ParameterSupport>> = {
  model: { support: "translated", to: "model", note: "the deployment's upstream model id" },
  messages: { support: "honoured" },
  stream: { support: "honoured" },
  stream_options: {
    support: "translated",
    to: "stream_options",
    note: "include_usage is always sent; the usage chunk reaches the client only if it asked",
  },
  max_tokens: {
    support: "honoured",
    note: "sent as max_completion_tokens to reasoning models",
  },
  max_completion_tokens: { support: "honoured" },
  temperature: { support: "honoured" },
  top_p: { support: "honoured" },
  n: { support: "honoured" },
  stop: { support: "honoured" },
  presence_penalty: { support: "honoured" },
  frequency_penalty: { support: "honoured" },
  seed: { support: "honoured" },
  tools: { support: "honoured" },
  tool_choice: { support: "honoured" },
  parallel_tool_calls: { support: "honoured" },
  response_format: { support: "honoured" },
  reasoning_effort: {
    support: "honoured",
    note: "reasoning models only (speed mode: the lowest effort); dropped with a warning elsewhere",
  },
  user: { support: "honoured" },
  models: { support: "ignored", note: "gateway fallback list, not sent upstream" },
  fallbacks: { support: "ignored", note: "gateway switch, not sent upstream" },
  generation_config: { support: "ignored", note: "gateway speed mode, not sent upstream" },
  "(other fields)": { support: "honoured", note: "passed through untouched" },
}
