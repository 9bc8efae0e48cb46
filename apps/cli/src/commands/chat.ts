import type { ChatCompletion, ChatCompletionChunk, OpenAI } from "@tollgate/sdk"
import { Config, Console, Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { CliFailure } from "../cli-failure.ts"
import {
  apiKeyFlag,
  baseUrlFlag,
  type Connection,
  connectionOf,
  jsonFlag,
} from "../gateway/connection-flags.ts"
import { fromOpenAiError } from "../gateway/describe-failure.ts"
import { makeClient } from "../gateway/make-client.ts"
import { type ChatSummary, formatChatSummary } from "../render/chat-summary.ts"

/** The model asked when neither `--model` nor `TOLLGATE_MODEL` names one. */
export const DEFAULT_CHAT_MODEL = "gemini-3.1-flash"

/** What a chat call returns: the answer as one completion, and what was measured. */
interface ChatOutcome {
  readonly completion: ChatCompletion
  readonly latencyMs: number
  readonly firstTokenMs?: number
  /** The exact cost header of a non-streamed answer. */
  readonly costHeader?: string
}

interface ChatInput {
  readonly model: string
  readonly prompt: string
  /** Where generated text goes as it arrives; `undefined` collects it silently (`--json`). */
  readonly write: ((text: string) => void) | undefined
}

const userMessage = (prompt: string) => [{ role: "user" as const, content: prompt }]

const complete = (client: OpenAI, input: ChatInput) => async (signal: AbortSignal) => {
  const started = performance.now()
  const { data, response } = await client.chat.completions
    .create({ model: input.model, messages: userMessage(input.prompt) }, { signal })
    .withResponse()
  const latencyMs = performance.now() - started
  input.write?.(data.choices[0]?.message.content ?? "")
  const costHeader = response.headers.get("x-tollgate-cost-usd") ?? undefined
  const outcome: ChatOutcome = {
    completion: data,
    latencyMs,
    ...(costHeader === undefined ? {} : { costHeader }),
  }
  return outcome
}

const streamed = (client: OpenAI, input: ChatInput) => async (signal: AbortSignal) => {
  const started = performance.now()
  // include_usage: the last chunk then carries the tokens and `usage.cost`.
  const stream = await client.chat.completions.create(
    {
      model: input.model,
      messages: userMessage(input.prompt),
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal },
  )
  let firstTokenMs: number | undefined
  let content = ""
  let last: ChatCompletionChunk | undefined
  let finishReason: ChatCompletion.Choice["finish_reason"] = "stop"
  let usage: ChatCompletionChunk["usage"]
  for await (const chunk of stream) {
    last = chunk
    usage = chunk.usage ?? usage
    const choice = chunk.choices[0]
    finishReason = choice?.finish_reason ?? finishReason
    const text = choice?.delta.content ?? ""
    if (text === "") continue
    firstTokenMs ??= performance.now() - started
    content += text
    input.write?.(text)
  }
  const latencyMs = performance.now() - started
  if (last === undefined) throw new Error("the gateway's stream ended without a chunk")

  // The stream assembled into the shape of a non-streamed answer, for `--json` and the summary.
  const completion: ChatCompletion = {
    id: last.id,
    object: "chat.completion",
    created: last.created,
    model: last.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
    ...(usage == null ? {} : { usage }),
  }
  const outcome: ChatOutcome = {
    completion,
    latencyMs,
    ...(firstTokenMs === undefined ? {} : { firstTokenMs }),
  }
  return outcome
}

const summaryOf = (outcome: ChatOutcome): ChatSummary => {
  const usage = outcome.completion.usage
  return {
    model: outcome.completion.model,
    latencyMs: outcome.latencyMs,
    firstTokenMs: outcome.firstTokenMs,
    promptTokens: usage?.prompt_tokens,
    completionTokens: usage?.completion_tokens,
    costUsd: outcome.costHeader ?? usage?.cost,
  }
}

const asJson = (outcome: ChatOutcome) => ({
  response: outcome.completion,
  latency_ms: Math.round(outcome.latencyMs),
  ...(outcome.firstTokenMs === undefined
    ? {}
    : { first_token_ms: Math.round(outcome.firstTokenMs) }),
})

/** Sends one prompt, prints the answer (streamed as it comes) and the summary line. */
export const runChat = (
  connection: Connection,
  options: { readonly prompt: string; readonly model: string; readonly stream: boolean },
  json: boolean,
): Effect.Effect<void, CliFailure> =>
  Effect.gen(function* () {
    const client = yield* makeClient(connection)
    let printed = false
    const write = json
      ? undefined
      : (text: string) => {
          printed = true
          process.stdout.write(text)
        }
    const input: ChatInput = { model: options.model, prompt: options.prompt, write }
    const outcome = yield* Effect.tryPromise({
      try: options.stream ? streamed(client, input) : complete(client, input),
      catch: (error) => fromOpenAiError(connection.baseUrl, error),
    }).pipe(
      // A stream that failed half-way: end the partial line so the error stands on its own.
      Effect.tapError(() => Effect.sync(() => printed && process.stdout.write("\n"))),
    )

    if (json) return yield* Console.log(JSON.stringify(asJson(outcome), null, 2))
    process.stdout.write("\n")
    // On stderr, so that `tollgate chat ... > answer.txt` keeps only the answer.
    yield* Console.error(formatChatSummary(summaryOf(outcome)))
  })

/** `tollgate chat "<prompt>"`. */
export const chatCommand = Command.make(
  "chat",
  {
    prompt: Argument.String("prompt").pipe(Argument.withDescription("What to ask")),
    model: Flag.String("model").pipe(
      Flag.withAlias("m"),
      Flag.withDescription(`Model id (env TOLLGATE_MODEL; default ${DEFAULT_CHAT_MODEL})`),
      Flag.withFallbackConfig(Config.String("TOLLGATE_MODEL")),
      Flag.withDefault(DEFAULT_CHAT_MODEL),
    ),
    stream: Flag.Boolean("stream").pipe(
      Flag.withDescription("Stream tokens as they come (--no-stream waits for the whole answer)"),
      Flag.withDefault(true),
    ),
    json: jsonFlag,
    baseUrl: baseUrlFlag,
    apiKey: apiKeyFlag,
  },
  (flags) =>
    runChat(
      connectionOf(flags.baseUrl, flags.apiKey),
      { prompt: flags.prompt, model: flags.model, stream: flags.stream },
      flags.json,
    ),
).pipe(
  Command.withDescription(
    "Send one prompt through the gateway, print the answer as it streams, then a line on " +
      "stderr with latency (and time to first token), tokens and cost.",
  ),
  Command.withShortDescription("Ask a model through the gateway"),
)
