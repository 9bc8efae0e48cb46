import type { BillingCurrency } from "@tollgate/core"
import { Context } from "effect"
import type { VirtualKeyLookup } from "./auth/authenticate.ts"
import type { MasterKey } from "./auth/master-key.ts"

/** Server-wide facts the routes need, resolved once at startup. */
export class ServerContext extends Context.Service<
  ServerContext,
  {
    readonly masterKey: MasterKey
    /** Largest accepted request body in bytes. */
    readonly bodyLimit: number
    /** Virtual keys (issue 5); absent until the key store is wired in. */
    readonly lookupVirtualKey?: VirtualKeyLookup
    /** Epoch seconds the server started; the `created` of every model it lists. */
    readonly startedAt: number
    /** The currency usage reports bill in, beside list USD. */
    readonly currency: BillingCurrency
  }
>()("tollgate/server/ServerContext") {}
