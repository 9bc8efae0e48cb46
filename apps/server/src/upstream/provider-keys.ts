import { Option, Redacted } from "effect"
import type { ProviderKeys } from "../config/env-config.ts"

/** Provider keys by provider name; an empty variable counts as unset. */
export const providerKeyMap = (
  keys: ProviderKeys,
): Readonly<Record<string, Redacted.Redacted<string> | undefined>> => {
  const present = (key: Option.Option<Redacted.Redacted<string>>) =>
    Option.getOrUndefined(Option.filter(key, (k) => Redacted.value(k).trim() !== ""))
  return {
    google: present(keys.google),
    anthropic: present(keys.anthropic),
    openai: present(keys.openai),
    deepseek: present(keys.deepseek),
  }
}
