import { GatewayError } from "../../errors/gateway-error.ts"

/** A request this adapter cannot translate: 400 to the client, never retried. */
export const badRequest = (message: string, param?: string): GatewayError =>
  new GatewayError({
    reason: { _tag: "BadRequest", ...(param === undefined ? {} : { param }) },
    message,
    provider: "google",
  })
