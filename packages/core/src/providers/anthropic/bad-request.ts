import { GatewayError } from "../../errors/gateway-error.ts"

/** A request this adapter cannot translate: a 400 naming the field, decided before any call. */
export const badRequest = (message: string, param?: string): GatewayError =>
  new GatewayError({
    reason: { _tag: "BadRequest", ...(param === undefined ? {} : { param }) },
    message,
    provider: "anthropic",
  })
