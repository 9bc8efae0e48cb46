import type { ParameterSupport } from "../adapter.ts"

/**
 * How the Gemini adapter treats each OpenAI chat parameter; the docs table is generated from
 * this map, so it must say what the code does.
 */
export const geminiParameters: Readonly<Record<string, ParameterSupport>> = {
  model: { support: "translated", to: "URL path `models/{upstreamModel}`" },
  messages: {
    support: "translated",
    to: "`contents` + `systemInstruction`",
    note:
      "leading system/developer messages -> systemInstruction; same-role turns merged; " +
      "images as inlineData (data URLs) or fileData (URLs); tool results -> functionResponse",
  },
  stream: { support: "translated", to: "`streamGenerateContent?alt=sse`" },
  stream_options: {
    support: "honoured",
    note: "the adapter always yields the final usage chunk; the gateway forwards it on request",
  },
  max_tokens: { support: "translated", to: "`generationConfig.maxOutputTokens`" },
  max_completion_tokens: {
    support: "translated",
    to: "`generationConfig.maxOutputTokens`",
    note: "wins over max_tokens",
  },
  temperature: { support: "translated", to: "`generationConfig.temperature`" },
  top_p: { support: "translated", to: "`generationConfig.topP`" },
  n: { support: "translated", to: "`generationConfig.candidateCount`" },
  stop: { support: "translated", to: "`generationConfig.stopSequences`" },
  presence_penalty: { support: "translated", to: "`generationConfig.presencePenalty`" },
  frequency_penalty: { support: "translated", to: "`generationConfig.frequencyPenalty`" },
  seed: { support: "translated", to: "`generationConfig.seed`" },
  tools: {
    support: "translated",
    to: "`tools[].functionDeclarations`",
    note: "JSON Schema reduced to Gemini's Schema subset: $ref inlined, unsupported keys removed",
  },
  tool_choice: {
    support: "translated",
    to: "`toolConfig.functionCallingConfig`",
    note: "auto -> AUTO, required -> ANY, none -> NONE, a function -> ANY + allowedFunctionNames",
  },
  parallel_tool_calls: {
    support: "ignored",
    note: "Gemini decides; `false` cannot be enforced and is reported in x-tollgate-warnings",
  },
  response_format: {
    support: "translated",
    to: "`generationConfig.responseMimeType` + `responseSchema`",
    note: "json_object -> application/json; json_schema -> responseSchema (Gemini's subset)",
  },
  reasoning_effort: {
    support: "translated",
    to: "`generationConfig.thinkingConfig`",
    note:
      "thinkingLevel (Gemini 3) or thinkingBudget (2.5) within the model's range; " +
      "adjustments reported in x-tollgate-warnings",
  },
  generation_config: {
    support: "translated",
    to: "`thinkingConfig` (thinking_mode speed), `responseModalities` (response_modality)",
  },
  user: { support: "ignored", note: "Gemini has no end-user field" },
  logit_bias: {
    support: "ignored",
    note: "no Gemini counterpart; reported in x-tollgate-warnings",
  },
  logprobs: { support: "ignored", note: "not translated yet; reported in x-tollgate-warnings" },
  top_logprobs: { support: "ignored", note: "not translated yet; reported in x-tollgate-warnings" },
  prediction: {
    support: "ignored",
    note: "no Gemini counterpart; reported in x-tollgate-warnings",
  },
  audio: {
    support: "ignored",
    note: "audio output not supported; reported in x-tollgate-warnings",
  },
}
