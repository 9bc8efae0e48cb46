/**
 * One schema change, written once per dialect. `id` orders migrations across the whole store and
 * is recorded in `schema_migrations`, so it must never change once released.
 *
 * Id ranges, so helpers never collide: 1000-1999 ledger, 2000-2999 keys, 3000-3999 budgets,
 * 4000-4999 limits.
 */
export interface Migration {
  readonly id: number
  readonly name: string
  /** Statements run in order inside the migration transaction on SQLite. */
  readonly sqlite: ReadonlyArray<string>
  /** Statements run in order inside the migration transaction on PostgreSQL. */
  readonly postgres: ReadonlyArray<string>
}
