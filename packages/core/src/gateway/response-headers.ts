import type { Candidate } from "./prepare-request.ts"
import type { RequestRecord } from "./request-record.ts"

/** Header values must be printable ASCII: warnings may quote model output or ids. */
const headerSafe = (text: string) => text.replace(/[^\x20-\x7e]/g, "?")

/** Headers every answer carries: rate-limit headers, where it was served, warnings. */
export const responseHeaders = (
  record: RequestRecord,
  candidate: Candidate,
  warnings: ReadonlyArray<string>,
): Record<string, string> => ({
  ...record.ticket?.headers,
  "x-tollgate-model": candidate.model.id,
  "x-tollgate-deployment": candidate.deployment.id,
  "x-tollgate-attempts": String(record.attempts),
  ...(warnings.length === 0 ? {} : { "x-tollgate-warnings": headerSafe(warnings.join("; ")) }),
})
