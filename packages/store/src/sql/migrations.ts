import { budgetMigrations } from "../budgets/migrations.ts"
import { keyMigrations } from "../keys/migrations.ts"
import { ledgerMigrations } from "../ledger/migrations.ts"
import type { Migration } from "./migration.ts"

/**
 * Every migration of the store, run at startup in `id` order. To add yours: export a
 * `ReadonlyArray<Migration>` from `<area>/migrations.ts` (ids in your range, see migration.ts),
 * import it here and spread it into the list. Never edit or renumber a released migration.
 */
export const allMigrations: ReadonlyArray<Migration> = [
  ...ledgerMigrations,
  ...keyMigrations,
  ...budgetMigrations,
]
