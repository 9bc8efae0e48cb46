import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs"
import { hostname } from "node:os"
import { join } from "node:path"
import type { LedgerEntry } from "@tollgate/core"
import { decodeJournal, encodeJournalLine } from "./journal-line.ts"

/** A closed journal file and the entries it holds, waiting for their database commit. */
export interface SealedSegment {
  /** Undefined for entries the disk refused, kept only in memory. */
  readonly path: string | undefined
  readonly entries: ReadonlyArray<LedgerEntry>
}

interface ActiveSegment {
  readonly path: string
  readonly fd: number
  readonly entries: Array<LedgerEntry>
}

/** Where this host's journals live: one directory per host, so a shared dataDir stays safe. */
export const journalDirectory = (dataDir: string): string =>
  join(dataDir, "ledger-journal", encodeURIComponent(hostname()))

// Segment names: `<pid>-<owner token>-<sequence>.jsonl`.
const SEGMENT = /^(\d+)-([a-z0-9]+)-(\d+)\.jsonl$/

// Tokens of the journals open in this process, so two ledgers in one process never adopt each
// other's files as orphans.
const openTokens = new Set<string>()

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}

/**
 * This process's append-only journal. Each `append` is a synchronous `write(2)`: once it returns,
 * the line is in the OS page cache and survives the process being killed. Entries move to
 * `seal`ed segments, which are deleted only after their rows are committed.
 */
export class Journal {
  readonly directory: string
  readonly #token: string
  readonly #fsync: boolean
  #sequence = 0
  #active: ActiveSegment | undefined
  #sealed: Array<SealedSegment> = []
  #unjournaled: Array<LedgerEntry> = []

  constructor(dataDir: string, options: { readonly fsync: boolean }) {
    this.directory = journalDirectory(dataDir)
    this.#token = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
    this.#fsync = options.fsync
    mkdirSync(this.directory, { recursive: true })
    openTokens.add(this.#token)
  }

  /**
   * Writes the entry to disk (page cache), then keeps it in memory for the next batch. When the
   * disk refuses (full, read-only) the entry is still queued and the error returned: it reaches
   * the database unless the process dies first.
   */
  append(entry: LedgerEntry): unknown {
    try {
      const active = this.#active ?? this.#open()
      const bytes = Buffer.from(encodeJournalLine(entry))

      let written = 0
      while (written < bytes.length) {
        written += writeSync(active.fd, bytes, written, bytes.length - written)
      }
      if (this.#fsync) fsyncSync(active.fd)

      active.entries.push(entry)
      return undefined
    } catch (error) {
      this.#unjournaled.push(entry)
      return error
    }
  }

  /** Entries written but not yet committed to the database. */
  get pendingCount(): number {
    const sealed = this.#sealed.reduce((n, segment) => n + segment.entries.length, 0)
    return sealed + (this.#active?.entries.length ?? 0) + this.#unjournaled.length
  }

  /**
   * Closes the active segment and returns every segment awaiting commit. New appends go to a
   * fresh file, so a segment never changes after it is sealed.
   */
  seal(): ReadonlyArray<SealedSegment> {
    const active = this.#active
    if (active !== undefined && active.entries.length > 0) {
      closeSync(active.fd)
      this.#sealed.push({ path: active.path, entries: active.entries })
      this.#active = undefined
    }
    if (this.#unjournaled.length > 0) {
      this.#sealed.push({ path: undefined, entries: this.#unjournaled })
      this.#unjournaled = []
    }
    return [...this.#sealed]
  }

  /** Forgets committed segments and deletes their files. */
  release(segments: ReadonlyArray<SealedSegment>): void {
    for (const segment of segments) if (segment.path !== undefined) removeFile(segment.path)
    this.#sealed = this.#sealed.filter((segment) => !segments.includes(segment))
  }

  /** Closes the file handle; an empty active segment is deleted, a non-empty one kept. */
  close(): void {
    openTokens.delete(this.#token)
    const active = this.#active
    if (active === undefined) return
    closeSync(active.fd)
    if (active.entries.length === 0) removeFile(active.path)
    this.#active = undefined
  }

  /** Lets go of the files as a killed process would, leaving them for the next start (tests). */
  abandon(): void {
    openTokens.delete(this.#token)
    if (this.#active !== undefined) closeSync(this.#active.fd)
    this.#active = undefined
  }

  /**
   * Journal files left by processes of this host that are no longer running (killed, crashed),
   * including an earlier process that had our pid.
   */
  orphans(): ReadonlyArray<SealedSegment> {
    const names = readdirSync(this.directory).filter((name) => SEGMENT.test(name))

    return names.flatMap((name) => {
      const match = SEGMENT.exec(name)
      const pid = Number(match?.[1])
      const token = match?.[2] ?? ""
      const ownerGone = pid === process.pid ? !openTokens.has(token) : !isAlive(pid)
      if (!ownerGone) return []
      const path = join(this.directory, name)
      const text = readFileIfPresent(path)
      return text === undefined ? [] : [{ path, entries: decodeJournal(text) }]
    })
  }

  #open(): ActiveSegment {
    this.#sequence += 1
    const name = `${process.pid}-${this.#token}-${this.#sequence}.jsonl`
    const path = join(this.directory, name)
    const active = { path, fd: openSync(path, "a"), entries: [] }
    this.#active = active
    return active
  }
}

// Another instance adopting the same orphan may have deleted it first; that is fine.
const removeFile = (path: string): void => {
  try {
    unlinkSync(path)
  } catch (error) {
    if (!(error instanceof Error && "code" in error && error.code === "ENOENT")) throw error
  }
}

const readFileIfPresent = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return undefined
    throw error
  }
}
