import type { RequestError } from "@tollgate/core"
import {
  createdKeyJson,
  KeyStore,
  keyInfoJson,
  parseCreateKeyBody,
  parseTopUpBody,
  parseUpdateKeyBody,
} from "@tollgate/store"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import type { SqlError } from "effect/sql"
import { requireMaster } from "../auth/require-master.ts"
import { requestError } from "../http/error-response.ts"
import { handleRequest, type RequestInfo } from "../http/handle-request.ts"
import { readJsonBody } from "../http/read-json-body.ts"
import { ServerContext } from "../server-context.ts"

/** A database failure is the gateway's, not the caller's: 503, details only in the log. */
const storeFailure = (error: RequestError | SqlError.SqlError) =>
  error._tag === "RequestError"
    ? Effect.fail(error)
    : Effect.logError("key store failed", error).pipe(
        Effect.andThen(
          Effect.fail(
            requestError(503, "The key store is unavailable; please retry shortly.", {
              type: "server_error",
              code: "store_unavailable",
            }),
          ),
        ),
      )

const keyIdParam = Effect.map(HttpRouter.params, (params) => params.id ?? "")

const body = (info: RequestInfo) =>
  Effect.gen(function* () {
    const server = yield* ServerContext
    return yield* readJsonBody(info.request, server.bodyLimit)
  })

/** An admin route: master key only, store failures as 503. */
const adminRoute = <A, R>(
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: `/${string}`,
  run: (
    info: RequestInfo,
    keys: KeyStore["Service"],
  ) => Effect.Effect<A, RequestError | SqlError.SqlError, R>,
  status = 200,
) =>
  HttpRouter.add(
    method,
    path,
    handleRequest((info) =>
      Effect.gen(function* () {
        yield* requireMaster(info.request)
        const keys = yield* KeyStore
        const result = yield* run(info, keys).pipe(Effect.catch(storeFailure))
        return HttpServerResponse.jsonUnsafe(result, { status })
      }),
    ),
  )

/**
 * `/admin/keys`: create, list, read, update, revoke, rotate and top up virtual keys. The secret
 * of a key appears once, in the answer to create or rotate; the store keeps only its hash.
 */
export const adminKeyRoutes = Layer.mergeAll(
  adminRoute("GET", "/admin/keys", (_info, keys) =>
    Effect.map(keys.list, (list) => ({ object: "list", data: list.map(keyInfoJson) })),
  ),
  adminRoute(
    "POST",
    "/admin/keys",
    (info, keys) =>
      body(info).pipe(
        Effect.flatMap(parseCreateKeyBody),
        Effect.flatMap(keys.create),
        Effect.map(createdKeyJson),
      ),
    201,
  ),
  adminRoute("GET", "/admin/keys/:id", (_info, keys) =>
    keyIdParam.pipe(Effect.flatMap(keys.get), Effect.map(keyInfoJson)),
  ),
  adminRoute("PATCH", "/admin/keys/:id", (info, keys) =>
    Effect.gen(function* () {
      const patch = yield* Effect.flatMap(body(info), parseUpdateKeyBody)
      return keyInfoJson(yield* keys.update(yield* keyIdParam, patch))
    }),
  ),
  adminRoute("DELETE", "/admin/keys/:id", (_info, keys) =>
    keyIdParam.pipe(Effect.flatMap(keys.revoke), Effect.map(keyInfoJson)),
  ),
  adminRoute("POST", "/admin/keys/:id/rotate", (_info, keys) =>
    keyIdParam.pipe(Effect.flatMap(keys.rotate), Effect.map(createdKeyJson)),
  ),
  adminRoute("POST", "/admin/keys/:id/top-up", (info, keys) =>
    Effect.gen(function* () {
      const amount = yield* Effect.flatMap(body(info), parseTopUpBody)
      return keyInfoJson(yield* keys.topUp(yield* keyIdParam, amount))
    }),
  ),
)
