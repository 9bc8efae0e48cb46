import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { cliFailure } from "../cli-failure.ts"
import { apiKeyFlag, baseUrlFlag, connectionOf, jsonFlag } from "../gateway/connection-flags.ts"
import { GROUP_BY } from "../gateway/group-by.ts"
import { defaultRange, parseTimeBound } from "../gateway/time-range.ts"

const bound = (text: Option.Option<string>, which: "from" | "to") =>
  Option.match(text, {
    onNone: () => Effect.succeed(undefined),
    onSome: (value) => {
      const ms = parseTimeBound(value, which)
      return ms === undefined
        ? Effect.fail(cliFailure(`--${which} expects a date (2026-12-01) or an ISO time`))
        : Effect.succeed(ms)
    },
  })

/** `tollgate usage`. */
export const usageCommand = Command.make(
  "usage",
  {
    from: Flag.String("from").pipe(
      Flag.withDescription("Start, a UTC date or ISO time (default: start of this month)"),
      Flag.optional,
    ),
    to: Flag.String("to").pipe(
      Flag.withDescription("End; a date counts its whole day (default: end of today)"),
      Flag.optional,
    ),
    groupBy: Flag.Literals("group-by", GROUP_BY).pipe(
      Flag.withDescription("Group rows by model, key, day or provider"),
      Flag.withDefault("model" as const),
    ),
    currency: Flag.String("currency").pipe(
      Flag.withDescription("Bill in this currency (e.g. CNY); needs --rate"),
      Flag.optional,
    ),
    rate: Flag.String("rate").pipe(
      Flag.withDescription("Billed units per USD of list price (a price, not a market rate)"),
      Flag.optional,
    ),
    json: jsonFlag,
    baseUrl: baseUrlFlag,
    apiKey: apiKeyFlag,
  },
  (flags) =>
    Effect.gen(function* () {
      const defaults = defaultRange(Date.now())
      const from = (yield* bound(flags.from, "from")) ?? defaults.from
      const to = (yield* bound(flags.to, "to")) ?? defaults.to
      if (Option.isSome(flags.rate) && Option.isNone(flags.currency)) {
        return yield* cliFailure("--rate needs --currency")
      }
      // The report's money code is loaded only when a report is asked for (start-up time).
      const { runUsage } = yield* Effect.promise(() => import("./usage-report.ts"))
      yield* runUsage(connectionOf(flags.baseUrl, flags.apiKey), {
        range: { from, to },
        groupBy: flags.groupBy,
        currency: Option.match(flags.currency, {
          onNone: () => undefined,
          onSome: (code) => ({ code: code.toUpperCase(), rate: Option.getOrUndefined(flags.rate) }),
        }),
        json: flags.json,
      })
    }),
).pipe(
  Command.withDescription(
    "Spend per model, key, day or provider from the gateway's ledger (GET /v1/usage): list " +
      "USD and the billed amount. The master key sees every key; a key sees its own.",
  ),
  Command.withShortDescription("Report spend from the ledger"),
)
