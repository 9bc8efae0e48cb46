import { Effect, Stream } from "effect"
import type { Sse } from "effect/encoding"
import type { Deployment } from "../../catalog/types.ts"
import type { GatewayError } from "../../errors/gateway-error.ts"
import type { ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import { parseChunk } from "./parse-chunk.ts"

/**
 * SSE events -> chunks, a whole batch of events at a time: events that arrived together (one
 * socket read) leave together, so the client gets one write per read instead of one per token
 * and the stream's per-pull costs (idle timeout, scheduling) are paid per batch. An unreadable
 * event still ends the stream right after the chunks before it, as with one event at a time.
 */
export const parseEvents = <E, R>(
  events: Stream.Stream<Sse.Event, E, R>,
  deployment: Deployment,
): Stream.Stream<ChatCompletionChunk, E | GatewayError, R> =>
  Stream.suspend(() => {
    // A failure met mid-batch waits until that batch's good chunks went out:
    let failure: GatewayError | undefined
    const batches = events.pipe(
      Stream.mapArrayEffect((batch) => {
        if (failure !== undefined) return Effect.fail(failure)
        const chunks: Array<ChatCompletionChunk> = []
        for (const event of batch) {
          const parsed = parseChunk(event.data, deployment)
          if (parsed._tag === "Failure") {
            if (chunks.length === 0) return Effect.fail(parsed.failure)
            failure = parsed.failure
            break
          }
          for (const chunk of parsed.success) chunks.push(chunk)
        }
        return Effect.succeed([chunks] as const)
      }),
      // Each batch becomes one array of the output; empty ones ([DONE] alone) are skipped:
      Stream.flattenIterable,
    )
    const pending = Stream.suspend(() =>
      failure === undefined ? Stream.empty : Stream.fail(failure),
    )
    return Stream.concat(batches, pending)
  })
