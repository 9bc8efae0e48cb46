import type { Migration } from "../sql/migration.ts"

// One row per request in flight holding budget; the sweep finds stale ones by expiry.
const createReservations = `CREATE TABLE budget_reservations (
  id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  amount_nano_usd BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
)`

const indexExpiry =
  "CREATE INDEX budget_reservations_expires_at ON budget_reservations (expires_at)"

/** Outstanding budget reservations, released by settlement or by expiry. */
export const budgetMigrations: ReadonlyArray<Migration> = [
  {
    id: 3000,
    name: "create budget_reservations",
    sqlite: [createReservations, indexExpiry],
    postgres: [createReservations, indexExpiry],
  },
]
