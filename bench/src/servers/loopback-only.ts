/**
 * Preloaded into the Portkey gateway (`node --import`): it listens on every interface and has no
 * option to change that, so a listen without a host is bound to 127.0.0.1 here. The benchmark
 * stays on loopback.
 */
import { Server } from "node:net"

const listen = Server.prototype.listen
Server.prototype.listen = function (this: Server, ...args: unknown[]) {
  if (typeof args[0] === "number" && (args[1] === undefined || typeof args[1] === "function")) {
    args.splice(1, args[1] === undefined ? 1 : 0, "127.0.0.1")
  }
  return Reflect.apply(listen, this, args)
} as typeof Server.prototype.listen
