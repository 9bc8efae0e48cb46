import { z } from "zod"

/**
 * Loose zod schemas of what Gemini's `generateContent` and `streamGenerateContent` really send.
 * Every field is optional: Google omits zero values and fields a model does not use.
 */

/** One streamed piece of a function call's arguments: a JSON path and its (partial) value. */
const PartialArg = z.looseObject({
  jsonPath: z.string().optional(),
  stringValue: z.string().optional(),
  numberValue: z.number().optional(),
  boolValue: z.boolean().optional(),
  nullValue: z.unknown().optional(),
  willContinue: z.boolean().optional(),
})
export type GeminiPartialArg = z.infer<typeof PartialArg>

/** A function call part; streamed calls may arrive in pieces (`willContinue`, `partialArgs`). */
export const GeminiFunctionCall = z.looseObject({
  name: z.string().optional(),
  args: z.record(z.string(), z.unknown()).nullish(),
  partialArgs: z.array(PartialArg).optional(),
  willContinue: z.boolean().optional(),
})
export type GeminiFunctionCall = z.infer<typeof GeminiFunctionCall>

/** One part of a candidate's content. */
export const GeminiPart = z.looseObject({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: GeminiFunctionCall.optional(),
})
export type GeminiPart = z.infer<typeof GeminiPart>

/** Token counts; the API leaves out counts that are zero. */
export const GeminiUsageMetadata = z.looseObject({
  promptTokenCount: z.number().optional(),
  cachedContentTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  toolUsePromptTokenCount: z.number().optional(),
  totalTokenCount: z.number().optional(),
})
export type GeminiUsageMetadata = z.infer<typeof GeminiUsageMetadata>

/** One candidate answer. */
export const GeminiCandidate = z.looseObject({
  content: z
    .looseObject({ role: z.string().optional(), parts: z.array(GeminiPart).optional() })
    .optional(),
  finishReason: z.string().optional(),
  finishMessage: z.string().optional(),
  index: z.number().optional(),
})
export type GeminiCandidate = z.infer<typeof GeminiCandidate>

/** A whole `generateContent` answer, or one `streamGenerateContent` event. */
export const GeminiResponse = z.looseObject({
  candidates: z.array(GeminiCandidate).optional(),
  promptFeedback: z
    .looseObject({ blockReason: z.string().optional(), blockReasonMessage: z.string().optional() })
    .optional(),
  usageMetadata: GeminiUsageMetadata.optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
})
export type GeminiResponse = z.infer<typeof GeminiResponse>

/** Google's error body (`google.rpc.Status`), sent with non-2xx statuses and inside streams. */
export const GeminiErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.looseObject({ "@type": z.string().optional() })).optional(),
  }),
})
export type GeminiErrorBody = z.infer<typeof GeminiErrorBody>
