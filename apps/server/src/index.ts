/**
 * @tollgate/server: the HTTP gateway. `makeServer` starts it in-process; `serverLayer` is the
 * same as a Layer for Effect programs.
 */
export { ConfigFileError } from "./config/load-config-file.ts"
export { flushStdoutSink, type LogSink } from "./http/json-logger.ts"
export {
  DEFAULT_SHUTDOWN_GRACE_MS,
  type MakeServerOptions,
  makeServer,
  type RunningServer,
  serverLayer,
} from "./server.ts"
export { DEFAULT_BODY_LIMIT, type ServerOptions } from "./startup.ts"
