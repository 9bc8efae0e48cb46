import type { FaultChooser } from "./choose-fault.ts"
import type { ErrorReply, Exchange } from "./exchange.ts"
import { FaultSpecError, parseFault, splitModelFault } from "./parse-fault.ts"
import type { Fault } from "./types.ts"

/** A chat API's wire format: how to read a request, shape fault errors, and answer. */
export type ChatWire<R> = {
  /** Parse and check the request (auth included); an error reply when it is not acceptable. */
  parse: (
    exchange: Exchange,
    body: unknown,
  ) => { request: R; model: string; stream: boolean } | ErrorReply
  /** The HTTP error a fault maps to, or undefined when the fault shapes the answer instead. */
  faultError: (fault: Fault, model: string) => ErrorReply | undefined
  badRequest: (message: string) => ErrorReply
  answer: (exchange: Exchange, request: R) => Promise<void>
}

const isErrorReply = (value: unknown): value is ErrorReply =>
  typeof value === "object" && value !== null && "status" in value && "body" in value

// The header wins over the model suffix, which wins over queued and random faults:
const chooseFault = (exchange: Exchange, suffixFault: Fault | undefined, chooser: FaultChooser) => {
  const header = exchange.req.headers["x-emulator-fault"]
  if (typeof header === "string" && header !== "") return parseFault(header)
  return suffixFault ?? chooser.take(exchange.model)
}

/** Run one chat request through parsing, fault selection and the answer. */
export const serveChat = async <R>(
  exchange: Exchange,
  body: unknown,
  wire: ChatWire<R>,
  chooser: FaultChooser,
): Promise<void> => {
  const parsed = wire.parse(exchange, body)
  if (isErrorReply(parsed)) return exchange.sendError(parsed)

  const { record } = exchange
  record.model = parsed.model
  record.stream = parsed.stream

  let fault: Fault | undefined
  try {
    const split = splitModelFault(parsed.model)
    exchange.model = split.model
    fault = chooseFault(exchange, split.fault, chooser)
  } catch (error) {
    if (error instanceof FaultSpecError) return exchange.sendError(wire.badRequest(error.message))
    throw error
  }
  exchange.fault = fault
  record.fault = fault

  if (fault?.kind === "reset") return exchange.destroy()
  // A stall holds the request open until the client gives up:
  if (fault?.kind === "stall") return
  if (fault?.kind === "delay" && !(await exchange.wait(fault.ms))) return

  const error = fault === undefined ? undefined : wire.faultError(fault, exchange.model)
  if (error !== undefined) return exchange.sendError(error)
  await wire.answer(exchange, parsed.request)
}
