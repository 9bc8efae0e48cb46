import type { StreamEvent } from "@tollgate/core"
import { Stream } from "effect"

const encoder = new TextEncoder()
const done = encoder.encode("data: [DONE]\n\n")

/** How an SSE body ended, for the request log. */
export type SseEnd = "done" | "error"

/**
 * Encodes gateway stream events as OpenAI SSE: one `data:` line per chunk; an Error event is
 * written as `data: {"error":...}` and ends the body without `[DONE]`, so a client can tell a
 * failed stream from a complete one. `[DONE]` follows only a stream that ended cleanly.
 */
export const sseBody = (
  events: Stream.Stream<StreamEvent>,
  onEnd: (end: SseEnd) => void,
): Stream.Stream<Uint8Array> => {
  let failed = false
  const frames = events.pipe(
    Stream.takeUntil((event) => event._tag === "Error"),
    // Events that came together are encoded and written together: one buffer per batch.
    Stream.mapArray((events) => {
      let text = ""
      for (const event of events) {
        if (event._tag === "Error") failed = true
        const payload = event._tag === "Chunk" ? event.chunk : event.body
        text += `data: ${JSON.stringify(payload)}\n\n`
      }
      return [encoder.encode(text)] as const
    }),
  )
  const tail = Stream.suspend(() => {
    onEnd(failed ? "error" : "done")
    return failed ? Stream.empty : Stream.make(done)
  })
  return Stream.concat(frames, tail)
}
