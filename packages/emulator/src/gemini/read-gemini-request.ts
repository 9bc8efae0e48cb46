import { z } from "zod"
import type { Conversation } from "../plan-reply.ts"

const Part = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  functionCall: z
    .looseObject({ name: z.string().optional(), args: z.unknown().optional() })
    .optional(),
  functionResponse: z
    .looseObject({ name: z.string().optional(), response: z.unknown() })
    .optional(),
})

const Content = z.looseObject({ role: z.string().optional(), parts: z.array(Part) })

const FunctionDeclaration = z.looseObject({
  name: z.string(),
  parameters: z.unknown().optional(),
  parametersJsonSchema: z.unknown().optional(),
})

/** The Gemini thinking config; the API rejects a budget and a level together. */
export const ThinkingConfig = z.looseObject({
  thinkingBudget: z.number().int().optional(),
  thinkingLevel: z.string().optional(),
  includeThoughts: z.boolean().optional(),
})

/** The parts of a `generateContent` request the emulator reads. */
export const GeminiRequest = z.looseObject({
  contents: z.array(Content).min(1),
  systemInstruction: z.union([Content.partial({ parts: true }), z.string()]).optional(),
  tools: z
    .array(z.looseObject({ functionDeclarations: z.array(FunctionDeclaration).optional() }))
    .optional(),
  toolConfig: z
    .looseObject({
      functionCallingConfig: z
        .looseObject({
          mode: z.string().optional(),
          allowedFunctionNames: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  generationConfig: z
    .looseObject({
      maxOutputTokens: z.number().int().optional(),
      responseMimeType: z.string().optional(),
      responseSchema: z.unknown().optional(),
      responseJsonSchema: z.unknown().optional(),
      thinkingConfig: ThinkingConfig.optional(),
    })
    .optional(),
})

/** A parsed Gemini request. */
export type GeminiRequest = z.infer<typeof GeminiRequest>

const partTexts = (part: z.infer<typeof Part>): string[] => {
  const texts: string[] = []
  if (part.text !== undefined && part.thought !== true) texts.push(part.text)
  if (part.functionCall !== undefined) {
    texts.push(part.functionCall.name ?? "", JSON.stringify(part.functionCall.args ?? {}))
  }
  if (part.functionResponse !== undefined)
    texts.push(JSON.stringify(part.functionResponse.response))
  return texts
}

/** The provider-neutral view of a Gemini request. */
export const geminiConversation = (request: GeminiRequest): Conversation => {
  const system = request.systemInstruction
  const systemTexts =
    system === undefined
      ? []
      : typeof system === "string"
        ? [system]
        : (system.parts ?? []).flatMap(partTexts)
  const last = request.contents[request.contents.length - 1]
  const answersTool = last?.parts.some((part) => part.functionResponse !== undefined) === true
  const calling = request.toolConfig?.functionCallingConfig
  const allowed = calling?.allowedFunctionNames?.[0]
  const config = request.generationConfig

  return {
    texts: [
      ...systemTexts,
      ...request.contents.flatMap((content) => content.parts.flatMap(partTexts)),
    ],
    tools: (request.tools ?? [])
      .flatMap((tool) => tool.functionDeclarations ?? [])
      .map((declaration) => ({
        name: declaration.name,
        parameters: declaration.parametersJsonSchema ?? declaration.parameters,
      })),
    toolChoice:
      calling?.mode === "NONE" ? "none" : allowed === undefined ? "auto" : { name: allowed },
    lastTurn: answersTool ? "tool-result" : (last?.role ?? "user") === "user" ? "user" : "other",
    maxTokens: config?.maxOutputTokens,
    json:
      config?.responseMimeType === "application/json"
        ? { schema: config.responseJsonSchema ?? config.responseSchema }
        : undefined,
  }
}
