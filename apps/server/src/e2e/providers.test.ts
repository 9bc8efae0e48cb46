import type OpenAI from "openai"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import {
  anthropicBlocks,
  apiError,
  asArray,
  asObject,
  bodyOf,
  type E2e,
  geminiParts,
  modelCases,
  PIXEL_PNG,
  startE2e,
  weatherTool,
} from "./e2e-harness.ts"

// The `openai` client through the server to the emulator, for every default model: plain and
// streamed text, a tool-call round trip and an image input.

let e2e: E2e

beforeAll(async () => {
  e2e = await startE2e()
})

afterAll(async () => {
  await e2e?.close()
})

beforeEach(() => {
  e2e.emulator.reset()
})

const user = (content: string) => [{ role: "user" as const, content }]

describe.each(modelCases)("$model over the $api API", ({ model, api, upstream }) => {
  it("answers text with usage", async () => {
    const { data, response } = await e2e.client.chat.completions
      .create({ model, messages: user("Say hello") })
      .withResponse()

    expect(data.choices[0]?.message.content).toMatch(/\S/)
    expect(data.choices[0]?.finish_reason).toBe("stop")
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(data.usage?.completion_tokens).toBeGreaterThan(0)
    expect(response.headers.get("x-tollgate-model")).toBe(model)

    const [request] = e2e.emulator.requests
    expect(request?.api).toBe(api)
    expect(request?.model).toBe(upstream)
    expect(request?.stream).toBe(false)
  })

  it("streams text that joins to the same answer, then usage", async () => {
    const whole = await e2e.client.chat.completions.create({ model, messages: user("Stream it") })

    const stream = await e2e.client.chat.completions.create({
      model,
      messages: user("Stream it"),
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ""
    const finishes: Array<string> = []
    let usage: OpenAI.CompletionUsage | undefined | null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ""
      const finish = chunk.choices[0]?.finish_reason
      if (finish) finishes.push(finish)
      if (chunk.usage) usage = chunk.usage
    }

    expect(text).toBe(whole.choices[0]?.message.content)
    expect(finishes).toEqual(["stop"])
    expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens)
    expect(e2e.emulator.requests.at(-1)?.stream).toBe(true)
  })

  it("completes a tool-call round trip", async () => {
    const messages: Array<OpenAI.ChatCompletionMessageParam> = user("Weather in Oslo?")
    const first = await e2e.client.chat.completions.create({
      model,
      messages,
      tools: [weatherTool],
    })

    const choice = first.choices[0]
    expect(choice?.finish_reason).toBe("tool_calls")
    const call = choice?.message.tool_calls?.[0]
    if (call?.type !== "function") throw new Error("expected a function tool call")
    expect(call.function.name).toBe("get_weather")
    expect(JSON.parse(call.function.arguments)).toEqual({ city: expect.any(String) })

    // The assistant message goes back as the client received it, then the tool's result.
    messages.push(choice?.message as OpenAI.ChatCompletionMessageParam)
    messages.push({ role: "tool", tool_call_id: call.id, content: '{"temperature_c": 4}' })
    const second = await e2e.client.chat.completions.create({
      model,
      messages,
      tools: [weatherTool],
    })

    expect(second.choices[0]?.finish_reason).toBe("stop")
    expect(second.choices[0]?.message.content).toMatch(/\S/)
    expect(second.choices[0]?.message.tool_calls ?? []).toEqual([])

    const body = bodyOf(e2e.emulator, 1)
    if (api === "gemini") {
      const parts = geminiParts(body)
      const callPart = parts.find((p) => p.functionCall !== undefined)
      expect(asObject(callPart?.functionCall).name).toBe("get_weather")
      const response = parts.find((p) => p.functionResponse !== undefined)
      expect(asObject(response?.functionResponse).name).toBe("get_weather")
      if (model.startsWith("gemini-3")) {
        // The signature the emulator attached to its call came back on that call's part.
        const signature = String(callPart?.thoughtSignature)
        expect(Buffer.from(signature, "base64").toString()).toMatch(/^emulator-thought-signature:/)
      }
    } else if (api === "anthropic") {
      const blocks = anthropicBlocks(body)
      const use = blocks.find((b) => b.type === "tool_use")
      expect(use?.name).toBe("get_weather")
      const result = blocks.find((b) => b.type === "tool_result")
      expect(result?.tool_use_id).toBe(use?.id)
    } else {
      const sent = asArray(body.messages).map(asObject)
      expect(sent.at(-1)).toMatchObject({ role: "tool", tool_call_id: call.id })
      expect(asArray(sent.at(-2)?.tool_calls).map(asObject)[0]?.id).toBe(call.id)
    }
  })

  it("completes a tool-call round trip from a call rebuilt out of stream deltas", async () => {
    const stream = await e2e.client.chat.completions.create({
      model,
      messages: user("Weather in Bergen?"),
      tools: [weatherTool],
      stream: true,
    })
    // What apps keep from the deltas: the id, the name and the argument text, nothing else.
    let id = ""
    let name = ""
    let args = ""
    const finishes: Array<string> = []
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      for (const delta of choice?.delta.tool_calls ?? []) {
        id += delta.id ?? ""
        name += delta.function?.name ?? ""
        args += delta.function?.arguments ?? ""
      }
      if (choice?.finish_reason) finishes.push(choice.finish_reason)
    }
    expect(finishes).toEqual(["tool_calls"])
    expect(name).toBe("get_weather")
    expect(JSON.parse(args)).toEqual({ city: expect.any(String) })

    const second = await e2e.client.chat.completions.create({
      model,
      tools: [weatherTool],
      messages: [
        ...user("Weather in Bergen?"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id, type: "function", function: { name, arguments: args } }],
        },
        { role: "tool", tool_call_id: id, content: '{"temperature_c": 7}' },
      ],
    })
    expect(second.choices[0]?.finish_reason).toBe("stop")
    expect(second.choices[0]?.message.content).toMatch(/\S/)

    if (model.startsWith("gemini-3")) {
      const callPart = geminiParts(bodyOf(e2e.emulator, 1)).find((p) => p.functionCall)
      const signature = String(callPart?.thoughtSignature)
      expect(Buffer.from(signature, "base64").toString()).toMatch(/^emulator-thought-signature:/)
    }
  })

  it("takes an image as a data URL, or refuses it before the upstream without vision", async () => {
    const messages: Array<OpenAI.ChatCompletionMessageParam> = [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this picture?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PIXEL_PNG}` } },
        ],
      },
    ]

    if (model === "deepseek-v3.2") {
      const error = await apiError(e2e.client.chat.completions.create({ model, messages }))
      expect(error.status).toBe(400)
      expect(e2e.emulator.requests).toHaveLength(0)
      return
    }

    const data = await e2e.client.chat.completions.create({ model, messages })
    expect(data.choices[0]?.message.content).toMatch(/\S/)

    const body = bodyOf(e2e.emulator, 0)
    if (api === "gemini") {
      const image = geminiParts(body).find((p) => p.inlineData !== undefined)
      expect(image?.inlineData).toEqual({ mimeType: "image/png", data: PIXEL_PNG })
    } else if (api === "anthropic") {
      const image = anthropicBlocks(body).find((b) => b.type === "image")
      expect(image?.source).toEqual({ type: "base64", media_type: "image/png", data: PIXEL_PNG })
    } else {
      const content = asArray(asObject(asArray(body.messages)[0]).content).map(asObject)
      const image = content.find((c) => c.type === "image_url")
      expect(asObject(image?.image_url).url).toBe(`data:image/png;base64,${PIXEL_PNG}`)
    }
  })
})
