import OpenAI from "openai"
import { describe, expect, it } from "vitest"
import { apiError, asObject } from "./e2e-harness.ts"
import { call, createKey, getKey, nanoUsd, usdOf } from "./keys-support/admin-api.ts"
import { instance, useCluster } from "./keys-support/gateway-cluster.ts"
import { runConcurrently, waitFor } from "./keys-support/run-concurrently.ts"
import { gatewayWorstCase } from "./keys-support/worst-case-of.ts"

/** Generous: two-core machines run several suites at once. */
const TIMEOUT_MS = 30_000

const ready = useCluster({ instances: 1, database: "sqlite" }, TIMEOUT_MS)

const clientFor = (key: string) =>
  new OpenAI({ baseURL: `${instance(ready(), 0).url}/v1`, apiKey: key, maxRetries: 0 })

const user = (content: string) => [{ role: "user" as const, content }]

/** The body the emulator received for the only request since the last `reset`. */
const onlyUpstreamBody = () => {
  const requests = ready().emulator.requests
  expect(requests).toHaveLength(1)
  return asObject(requests[0]?.body)
}

describe("what a virtual key may call", () => {
  it(
    "refuses a client key on every admin endpoint with a 403 admin_only",
    async () => {
      const c = ready()
      const server = instance(c, 0)
      const key = await createKey(server, { name: "client" })
      const attempts = [
        ["GET", "/admin/keys", undefined],
        ["POST", "/admin/keys", { name: "escalate" }],
        ["GET", `/admin/keys/${key.id}`, undefined],
        ["PATCH", `/admin/keys/${key.id}`, { rpm: null }],
        ["POST", `/admin/keys/${key.id}/rotate`, undefined],
        ["POST", `/admin/keys/${key.id}/top-up`, { amount_usd: "100" }],
        ["DELETE", `/admin/keys/${key.id}`, undefined],
      ] as const
      for (const [method, path, body] of attempts) {
        const answer = await call(server, method, path, { key: key.key, body })
        expect(answer.status, `${method} ${path}`).toBe(403)
        expect(answer.body).toMatchObject({ error: { code: "admin_only" } })
      }

      // Nothing changed: no second key, the same settings, still usable.
      const listed = await call(server, "GET", "/admin/keys")
      const names = (listed.body as { data: Array<{ name: string }> }).data.map((k) => k.name)
      expect(names).not.toContain("escalate")
      expect((await getKey(server, key.id)).credit_usd).toBeNull()
      const answer = await clientFor(key.key).chat.completions.create({
        model: "gpt-4.1",
        messages: user("still here?"),
      })
      expect(answer.choices[0]?.message.content).toBeTruthy()
    },
    TIMEOUT_MS,
  )

  it(
    "refuses a model outside the key's allowed models with a 403 naming them",
    async () => {
      const c = ready()
      const key = await createKey(instance(c, 0), {
        name: "gemini-only",
        allowed_models: ["gemini-2.5-flash", "claude-sonnet-4.5"],
      })
      c.emulator.reset()

      const error = await apiError(
        clientFor(key.key).chat.completions.create({ model: "gpt-4.1", messages: user("hi") }),
      )
      expect(error.status).toBe(403)
      expect(error.code).toBe("model_not_allowed")
      expect(error.message).toContain("`gpt-4.1`")
      expect(error.message).toContain("`gemini-2.5-flash`, `claude-sonnet-4.5`")
      expect(c.emulator.requests).toHaveLength(0)

      const allowed = await clientFor(key.key).chat.completions.create({
        model: "gemini-2.5-flash",
        messages: user("hi"),
      })
      expect(allowed.choices[0]?.message.content).toBeTruthy()
    },
    TIMEOUT_MS,
  )
  it(
    "shows a client key only its own usage, the master key everyone's",
    async () => {
      const server = instance(ready(), 0)
      const mine = await createKey(server, { name: "mine" })
      const theirs = await createKey(server, { name: "theirs" })
      for (const key of [mine, theirs, theirs]) {
        await clientFor(key.key).chat.completions.create({ model: "gpt-4.1", messages: user("u") })
      }
      type Usage = { data: Array<{ group: string; requests: number }> }
      // The ledger is written off the response path: wait until the master key sees all three.
      await waitFor("the ledger entries", async () => {
        const all = (await call(server, "GET", "/v1/usage?group_by=key")).body as Usage
        const count = (id: string) => all.data.find((row) => row.group === id)?.requests ?? 0
        return count(mine.id) === 1 && count(theirs.id) === 2
      })

      const own = await call(server, "GET", "/v1/usage?group_by=key", { key: mine.key })
      expect(own.status).toBe(200)
      expect((own.body as Usage).data).toEqual([
        expect.objectContaining({ group: mine.id, requests: 1 }),
      ])
    },
    TIMEOUT_MS,
  )
})

describe("a key's max_tokens default and ceiling", () => {
  const DEFAULT = 37
  const CEILING = 64

  const keyWithGuards = () =>
    createKey(instance(ready(), 0), {
      name: "guarded",
      default_max_tokens: DEFAULT,
      max_tokens_ceiling: CEILING,
    })

  it(
    "sends the key's default max_tokens upstream when the request has none",
    async () => {
      const key = await keyWithGuards()
      ready().emulator.reset()
      await clientFor(key.key).chat.completions.create({ model: "gpt-4.1", messages: user("a") })
      const body = onlyUpstreamBody()
      expect(body.max_completion_tokens ?? body.max_tokens).toBe(DEFAULT)
    },
    TIMEOUT_MS,
  )

  it(
    "lowers max_tokens above the ceiling to it, with a warning, and keeps smaller ones",
    async () => {
      const key = await keyWithGuards()
      const c = ready()
      c.emulator.reset()
      const { response } = await clientFor(key.key)
        .chat.completions.create({ model: "gpt-4.1", messages: user("b"), max_tokens: 5_000 })
        .withResponse()
      const body = onlyUpstreamBody()
      expect(body.max_completion_tokens ?? body.max_tokens).toBe(CEILING)
      expect(response.headers.get("x-tollgate-warnings")).toContain(`ceiling of ${CEILING}`)

      c.emulator.reset()
      await clientFor(key.key).chat.completions.create({
        model: "gpt-4.1",
        messages: user("c"),
        max_completion_tokens: 10,
      })
      const small = onlyUpstreamBody()
      expect(small.max_completion_tokens ?? small.max_tokens).toBe(10)
    },
    TIMEOUT_MS,
  )

  it(
    "applies the ceiling on Gemini as its maxOutputTokens",
    async () => {
      const key = await keyWithGuards()
      ready().emulator.reset()
      await clientFor(key.key).chat.completions.create({
        model: "gemini-2.5-flash",
        messages: user("d"),
        max_completion_tokens: 9_000,
      })
      const config = asObject(onlyUpstreamBody().generationConfig)
      expect(config.maxOutputTokens).toBe(CEILING)
    },
    TIMEOUT_MS,
  )

  it(
    "reserves the worst case of the effective max_tokens, not of the model's limit",
    async () => {
      const c = ready()
      const request = { model: "gpt-4.1", messages: user("e"), max_tokens: 5_000 }
      const effective = gatewayWorstCase({ ...request, max_tokens: CEILING }).nanoUsd
      const key = await createKey(instance(c, 0), {
        name: "guarded-budget",
        max_tokens_ceiling: CEILING,
        budget_usd: usdOf(effective),
      })

      // Held upstream, the one admitted request shows its hold:
      c.gate.reset()
      c.gate.hold()
      const running = runConcurrently(1, () => clientFor(key.key).chat.completions.create(request))
      await waitFor("the request to reach the provider", () => c.gate.held() === 1)
      const held = await getKey(instance(c, 0), key.id)
      c.gate.release()
      const [outcome] = await running.all
      expect(outcome?.ok).toBe(true)
      expect(nanoUsd(held.reserved_usd)).toBe(effective)
    },
    TIMEOUT_MS,
  )
})
