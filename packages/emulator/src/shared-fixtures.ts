import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/**
 * Access to `../shared` beside the repository (recorded provider payloads, the OpenAPI spec).
 * Outside CI a missing folder skips the tests that need it, with a visible message; with
 * `CI=true` it fails them, so CI can never pass by skipping.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..")

/** Absolute path of the shared folder, whether or not it exists. */
export const sharedDir: string = process.env.TOLLGATE_SHARED_DIR ?? resolve(repoRoot, "../shared")

/** True when the shared folder is present. */
export const hasShared: boolean = existsSync(join(sharedDir, "fixtures", "recorded"))

/** Call at the top of a suite that reads shared files: throws in CI when they are missing. */
export const requireShared = (): boolean => {
  if (hasShared) return true
  if (process.env.CI === "true") throw new Error(`CI=true but ${sharedDir} is missing`)
  console.warn(`[tollgate] skipping: ${sharedDir} not found (tests reading ../shared are skipped)`)
  return false
}

/** Read a recorded payload, e.g. `google/google-text.json`. */
export const readRecorded = (path: string): string =>
  readFileSync(join(sharedDir, "fixtures", "recorded", path), "utf8")

/** A recorded `*.chunks.txt`: one JSON payload per non-empty line. */
export const readRecordedChunks = (path: string): ReadonlyArray<unknown> =>
  readRecorded(path)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown)

/** Rebuild the SSE wire form of a recorded `*.chunks.txt`; OpenAI-style ones end in `[DONE]`. */
export const recordedSse = (path: string, options: { done: boolean }): string =>
  readRecorded(path)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => `data: ${line}\n\n`)
    .join("") + (options.done ? "data: [DONE]\n\n" : "")
