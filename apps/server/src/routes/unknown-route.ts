import { Effect } from "effect"
import { HttpRouter } from "effect/http"
import { requestError } from "../http/error-response.ts"
import { handleRequest } from "../http/handle-request.ts"

/** The routes the server serves, by path pattern, with their methods (for 405 and `Allow`). */
const knownRoutes: ReadonlyArray<readonly [pattern: RegExp, methods: string]> = [
  [/^\/v1\/chat\/completions\/?$/, "POST"],
  [/^\/v1\/models\/?$/, "GET"],
  [/^\/v1\/models\/.+$/, "GET"],
  [/^\/health\/?$/, "GET"],
  [/^\/v1\/usage\/?$/, "GET"],
  [/^\/admin\/keys\/?$/, "GET, POST"],
  [/^\/admin\/keys\/[^/]+\/(rotate|top-up)\/?$/, "POST"],
  [/^\/admin\/keys\/[^/]+\/?$/, "GET, PATCH, DELETE"],
]

/**
 * Every request no route matched: 405 with `Allow` for a known path, else an OpenAI-shaped 404,
 * so that no response of the server is ever a non-JSON error.
 */
export const unknownRoute = HttpRouter.add(
  "*",
  "*",
  handleRequest((info) => {
    const { method, url } = info.request
    const path = url.split("?")[0] ?? url
    const known = knownRoutes.find(([pattern]) => pattern.test(path))
    // A route this gateway knows but does not serve: the store's routes with `store: false`.
    if (known?.[1].split(", ").includes(method)) {
      return Effect.fail(
        requestError(
          404,
          `${method} ${path} is not available: this gateway runs without a store.`,
          {
            code: "unknown_url",
          },
        ),
      )
    }
    if (known !== undefined) {
      const [, allowed] = known
      return Effect.fail(
        requestError(405, `Method ${method} is not allowed on ${path}; use ${allowed}.`, {
          code: "method_not_allowed",
          headers: { allow: allowed },
        }),
      )
    }
    return Effect.fail(
      requestError(404, `Unknown request URL: ${method} ${path}.`, { code: "unknown_url" }),
    )
  }),
)
