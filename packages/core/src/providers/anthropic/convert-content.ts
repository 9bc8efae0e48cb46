import { Effect } from "effect"
import { z } from "zod"
import type { GatewayError } from "../../errors/gateway-error.ts"
import type { ContentPart } from "../../openai/chat-schemas.ts"
import { badRequest } from "./bad-request.ts"

/** A text or image block of an Anthropic request message. */
export type AnthropicInputBlock =
  | { readonly type: "text"; readonly text: string }
  | {
      readonly type: "image"
      readonly source:
        | { readonly type: "base64"; readonly media_type: string; readonly data: string }
        | { readonly type: "url"; readonly url: string }
    }

const ImageUrl = z.looseObject({ url: z.string() })

const dataUrl = /^data:([^;,]+);base64,(.*)$/s

/** An OpenAI image URL as an Anthropic image source: data URLs inline, others by URL. */
export const convertImage = (
  url: string,
  param: string,
): Effect.Effect<AnthropicInputBlock, GatewayError> => {
  if (!url.startsWith("data:"))
    return Effect.succeed({ type: "image", source: { type: "url", url } })

  const match = dataUrl.exec(url)
  if (match === null || match[1] === undefined || match[2] === undefined)
    return Effect.fail(badRequest("Image data URLs must be base64 (data:<type>;base64,...)", param))
  return Effect.succeed({
    type: "image",
    source: { type: "base64", media_type: match[1], data: match[2] },
  })
}

/**
 * Text and image parts as Anthropic blocks. Empty text is left out, since Anthropic rejects empty
 * text blocks; a part kind Anthropic has no counterpart for is a 400, never dropped.
 */
export const convertContent = Effect.fn("anthropic.convertContent")(function* (
  content: string | ReadonlyArray<ContentPart> | null | undefined,
  param: string,
  allowImages: boolean,
) {
  const blocks: Array<AnthropicInputBlock> = []
  if (content === null || content === undefined) return blocks
  if (typeof content === "string") {
    if (content !== "") blocks.push({ type: "text", text: content })
    return blocks
  }

  for (const [index, part] of content.entries()) {
    if (part.type === "text" && "text" in part && typeof part.text === "string") {
      if (part.text !== "") blocks.push({ type: "text", text: part.text })
    } else if (allowImages && part.type === "image_url") {
      const image = ImageUrl.safeParse(part.image_url)
      if (!image.success) return yield* badRequest("image_url needs a url", `${param}[${index}]`)
      blocks.push(yield* convertImage(image.data.url, `${param}[${index}].image_url`))
    } else {
      return yield* badRequest(
        `Content part type '${part.type}' is not supported here by Anthropic models`,
        `${param}[${index}].type`,
      )
    }
  }
  return blocks
})

/** The text of system, developer or tool content, which must be text only. */
export const contentText = Effect.fn("anthropic.contentText")(function* (
  content: string | ReadonlyArray<ContentPart>,
  param: string,
) {
  const blocks = yield* convertContent(content, param, false)
  return blocks.map((block) => (block.type === "text" ? block.text : "")).join("\n\n")
})
