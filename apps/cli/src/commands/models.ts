import { Console, Effect } from "effect"
import { Command } from "effect/cli"
import type { CliFailure } from "../cli-failure.ts"
import {
  apiKeyFlag,
  baseUrlFlag,
  type Connection,
  connectionOf,
  jsonFlag,
} from "../gateway/connection-flags.ts"
import { fromOpenAiError } from "../gateway/describe-failure.ts"
import { makeClient } from "../gateway/make-client.ts"
import { renderTable } from "../render/table.ts"

/** Lists the models the key may use: a table of id and owner, or the list as JSON. */
export const runModels = (connection: Connection, json: boolean): Effect.Effect<void, CliFailure> =>
  Effect.gen(function* () {
    const client = yield* makeClient(connection)
    const page = yield* Effect.tryPromise({
      try: (signal) => client.models.list({ signal }),
      catch: (error) => fromOpenAiError(connection.baseUrl, error),
    })
    const models = page.data

    if (json) {
      return yield* Console.log(JSON.stringify({ object: "list", data: models }, null, 2))
    }
    const rows = models.map((model) => [model.id, model.owned_by])
    yield* Console.log(renderTable([{ head: "id" }, { head: "owned_by" }], rows))
  })

/** `tollgate models`. */
export const modelsCommand = Command.make(
  "models",
  { json: jsonFlag, baseUrl: baseUrlFlag, apiKey: apiKeyFlag },
  (flags) => runModels(connectionOf(flags.baseUrl, flags.apiKey), flags.json),
).pipe(
  Command.withDescription(
    "List the gateway's models (those the key may use); emulated ones say so in owned_by.",
  ),
  Command.withShortDescription("List the gateway's models"),
)
