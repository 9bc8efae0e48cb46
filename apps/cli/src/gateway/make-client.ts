import { createClient, type OpenAI } from "@tollgate/sdk"
import { Effect } from "effect"
import { type CliFailure, cliFailure } from "../cli-failure.ts"
import { type Connection, keyValue } from "./connection-flags.ts"

/** The `openai` client pointed at the gateway; fails with a one-line hint when no key is set. */
export const makeClient = (connection: Connection): Effect.Effect<OpenAI, CliFailure> => {
  const apiKey = keyValue(connection)
  if (apiKey === undefined || apiKey === "") {
    return Effect.fail(
      cliFailure("no gateway key: set TOLLGATE_API_KEY or pass --api-key (the master key works)"),
    )
  }
  return Effect.succeed(createClient({ baseURL: connection.baseUrl, apiKey }))
}
