import { readFileSync } from "node:fs"
import { Data, Effect } from "effect"
import type { z } from "zod"
import { FileConfig } from "./file-schema.ts"

/** The config file exists but cannot be used; the message names the file and the field. */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly path: string
  readonly message: string
}> {}

/** `models.gpt-4.1.deployments[0].weight`: the form operators search their file for. */
export const formatIssuePath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((part, i) =>
      typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`,
    )
    .join("")

const describeIssue = (issue: z.core.$ZodIssue): string => {
  if (issue.code === "invalid_type") return `expected ${issue.expected}`
  if (issue.code === "unrecognized_keys") return `unknown key ${issue.keys.join(", ")}`
  return issue.message
}

/** Turns zod issues into one line per problem, each starting with its path. */
export const formatIssues = (issues: ReadonlyArray<z.core.$ZodIssue>): string =>
  issues
    .map((issue) => {
      const where = formatIssuePath(issue.path)
      return where === "" ? describeIssue(issue) : `${where}: ${describeIssue(issue)}`
    })
    .join("; ")

/**
 * Reads and validates the config file. A missing default file is an empty config (every section
 * is optional), but a `required` one, which the operator named, is an error: a typo in its path
 * must not start the gateway on defaults. A file that is not valid JSON or config is an error.
 */
export const loadConfigFile = (
  path: string,
  options: { readonly required?: boolean } = {},
): Effect.Effect<FileConfig, ConfigFileError> =>
  Effect.gen(function* () {
    const text = yield* Effect.try({
      try: () => readFileSync(path, "utf8"),
      catch: (cause) => cause,
    }).pipe(
      Effect.catch((cause) => {
        if (!isNotFound(cause)) {
          return Effect.fail(
            new ConfigFileError({ path, message: `${path}: cannot read: ${cause}` }),
          )
        }
        return options.required === true
          ? Effect.fail(new ConfigFileError({ path, message: `${path}: no such file` }))
          : Effect.succeed(undefined)
      }),
    )
    if (text === undefined) return {}

    const json = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (cause) =>
        new ConfigFileError({ path, message: `${path}: invalid JSON: ${errorMessage(cause)}` }),
    })

    const parsed = FileConfig.safeParse(json)
    if (!parsed.success) {
      return yield* new ConfigFileError({
        path,
        message: `${path}: ${formatIssues(parsed.error.issues)}`,
      })
    }
    return parsed.data
  })

const isNotFound = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && "code" in cause && cause.code === "ENOENT"

const errorMessage = (cause: unknown): string =>
  cause instanceof Error ? cause.message : String(cause)
