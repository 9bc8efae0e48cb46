/** Prefixes of provider keys, most specific first (`sk-ant-` before `sk-`). */
const providerPrefixes: ReadonlyArray<readonly [prefix: string, provider: string, env: string]> = [
  ["sk-ant-", "an Anthropic", "ANTHROPIC_API_KEY"],
  ["sk-proj-", "an OpenAI", "OPENAI_API_KEY"],
  ["sk-", "an OpenAI (or DeepSeek)", "OPENAI_API_KEY"],
  ["AIza", "a Google", "GEMINI_API_KEY"],
]

/**
 * A hint for a presented key that looks like a provider's: the commonest setup mistake is
 * pointing the app's provider key at the gateway. Undefined when it looks like no provider key.
 */
export const providerKeyHint = (key: string): string | undefined => {
  const match = providerPrefixes.find(([prefix]) => key.startsWith(prefix))
  if (match === undefined) return undefined
  const [, provider, env] = match
  return (
    `this is a provider key; use your Tollgate key. It looks like ${provider} key, which ` +
    `belongs in the gateway's environment (${env})`
  )
}
