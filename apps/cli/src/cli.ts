import { Command } from "effect/cli"
import { chatCommand } from "./commands/chat.ts"
import { keysCommand } from "./commands/keys.ts"
import { modelsCommand } from "./commands/models.ts"
import { serveCommand } from "./commands/serve.ts"
import { usageCommand } from "./commands/usage.ts"

/** The `tollgate` command and its subcommands; `bin.ts` runs it. */
export const tollgate = Command.make("tollgate").pipe(
  Command.withDescription(
    "Tollgate, an OpenAI-compatible LLM gateway. `serve` starts it; the other commands talk to " +
      "a running gateway at --base-url (env TOLLGATE_BASE_URL, default http://127.0.0.1:8080).",
  ),
  Command.withSubcommands([serveCommand, chatCommand, modelsCommand, usageCommand, keysCommand]),
  Command.withExamples([
    { command: "tollgate serve --port 8080", description: "start the gateway" },
    { command: 'tollgate chat "Say hi" --model gpt-4.1', description: "ask a model" },
    { command: "tollgate usage --group-by day --currency CNY --rate 1", description: "spend" },
  ]),
)
