/** The model every target is asked for; Tollgate's config points it at the emulator. */
export const BENCH_MODEL = "gpt-4.1"

/**
 * A chat request as a pipeline sends it: a system prompt, a short exchange, a question, and
 * the usual sampling settings. The emulator answers 64 tokens at once.
 */
export const chatBody = (stream: boolean): string =>
  JSON.stringify({
    model: BENCH_MODEL,
    messages: [
      {
        role: "system",
        content:
          "You are a support assistant for an online bookshop. Answer in two or three short " +
          "sentences, cite the order number when the customer gives one, and never invent " +
          "delivery dates.",
      },
      { role: "user", content: "Hi, I ordered two books last week, order 48213." },
      { role: "assistant", content: "Thanks! I can see order 48213. How can I help with it?" },
      {
        role: "user",
        content: "One of them arrived with a torn cover. Can I get a replacement or a refund?",
      },
    ],
    temperature: 0.7,
    max_tokens: 64,
    user: "bench-user-17",
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  })
