import { describe, expect, it } from "vitest"
import type { ChatCompletion, ChatCompletionChunk } from "../../openai/chat-schemas.ts"
import { refusalAsContentFilter, refusalAsContentFilterStep } from "./map-refusal.ts"

const completion = (message: ChatCompletion["choices"][number]["message"]): ChatCompletion => ({
  id: "c",
  object: "chat.completion",
  created: 1,
  model: "gpt-4.1",
  choices: [{ index: 0, message, finish_reason: "stop" }],
})

const chunk = (
  delta: ChatCompletionChunk["choices"][number]["delta"],
  finish: "stop" | null = null,
): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 1,
  model: "gpt-4.1",
  choices: [{ index: 0, delta, finish_reason: finish }],
})

const runSteps = (chunks: ReadonlyArray<ChatCompletionChunk>) => {
  let state: Parameters<typeof refusalAsContentFilterStep>[0] = new Map()
  const out: ChatCompletionChunk[] = []
  for (const c of chunks) {
    const [next, emitted] = refusalAsContentFilterStep(state, c)
    state = next
    out.push(...emitted)
  }
  return out.map((c) => c.choices[0]?.finish_reason ?? null)
}

describe("refusalAsContentFilter", () => {
  it("reports a refusal without content as content_filter", () => {
    const mapped = refusalAsContentFilter(
      completion({ role: "assistant", content: null, refusal: "I can't help with that." }),
    )
    expect(mapped.choices[0]?.finish_reason).toBe("content_filter")
  })

  it("keeps stop for an ordinary answer", () => {
    const mapped = refusalAsContentFilter(
      completion({ role: "assistant", content: "Hello", refusal: null }),
    )
    expect(mapped.choices[0]?.finish_reason).toBe("stop")
  })

  it("rewrites the finishing chunk of a refused stream only", () => {
    const refused = runSteps([
      chunk({ role: "assistant", refusal: "I can't" }),
      chunk({ refusal: " help." }),
      chunk({}, "stop"),
    ])
    expect(refused).toEqual([null, null, "content_filter"])

    const answered = runSteps([chunk({ content: "Hi" }), chunk({}, "stop")])
    expect(answered).toEqual([null, "stop"])
  })
})
