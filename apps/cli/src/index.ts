/**
 * @tollgate/cli: the `tollgate` command as an Effect CLI `Command` (run it with `bin.ts`), and
 * the pieces other tools may reuse.
 */

export { tollgate } from "./cli.ts"
export { CliFailure } from "./cli-failure.ts"
export { DEFAULT_CHAT_MODEL } from "./commands/chat.ts"
export { DEFAULT_BASE_URL } from "./gateway/connection-flags.ts"
export { type ChatSummary, formatChatSummary } from "./render/chat-summary.ts"
