import { sql, type Kysely } from 'kysely';

/**
 * Offline-first sync with a team server (issue #4): per-field versions that budget and status edits quote as
 * baseVersion, the signed-in identity (never a token: those live in the OS keychain), per-client metric
 * snapshot cursors, richer sync issues, and approvals shaped like the server's rows.
 *
 * The outbox keeps its AUTOINCREMENT: a plain INTEGER PRIMARY KEY reuses the highest id once that row is
 * deleted, and the server refuses or silently skips a mutation id it has already acknowledged, so a reused id
 * would lose an edit. sqlite_sequence remembers the highest id ever allocated, across deletes and restarts.
 *
 * Frozen once merged: fix forward in a new migration, never edit this file.
 */
const statements = [
  `ALTER TABLE campaigns ADD COLUMN status_version INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE campaigns ADD COLUMN budget_version INTEGER NOT NULL DEFAULT 0`,

  `ALTER TABLE sync_state ADD COLUMN device_id TEXT`,
  `ALTER TABLE sync_state ADD COLUMN user_id TEXT`,
  `ALTER TABLE sync_state ADD COLUMN user_email TEXT`,
  `ALTER TABLE sync_state ADD COLUMN user_display_name TEXT`,
  `ALTER TABLE sync_state ADD COLUMN org_id TEXT`,
  `ALTER TABLE sync_state ADD COLUMN org_name TEXT`,
  `ALTER TABLE sync_state ADD COLUMN roles_json TEXT NOT NULL DEFAULT '[]'`,
  `ALTER TABLE sync_state ADD COLUMN initial_sync_done INTEGER NOT NULL DEFAULT 0`,
  `ALTER TABLE sync_state ADD COLUMN last_error_json TEXT`,
  `ALTER TABLE sync_state ADD COLUMN last_synced_at TEXT`,

  `CREATE TABLE sync_metric_cursors (
    client_id TEXT PRIMARY KEY,
    cursor TEXT,
    phase TEXT,
    window_start TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID`,

  `ALTER TABLE sync_rejections ADD COLUMN kind TEXT NOT NULL DEFAULT 'rejected'
     CHECK (kind IN ('conflict', 'rejected'))`,
  `ALTER TABLE sync_rejections ADD COLUMN details_json TEXT`,
  `ALTER TABLE sync_rejections ADD COLUMN entity_type TEXT`,
  `ALTER TABLE sync_rejections ADD COLUMN entity_id TEXT`,

  // Approvals arrive from the server without their users (requested_by is a server user id the device has no
  // row for), with a JSON payload and an optional reason, so the table is rebuilt without the users FK. The
  // old budget columns stay, now derived from the payload, for the local views that read them.
  `CREATE TABLE approvals_v5 (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES clients(id),
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    current_budget_micros INTEGER,
    requested_budget_micros INTEGER,
    payload_json TEXT NOT NULL DEFAULT '{}',
    reason TEXT,
    decided_by TEXT,
    decided_at TEXT,
    decision_note TEXT,
    created_at TEXT NOT NULL
  )`,
  `INSERT INTO approvals_v5 (id, client_id, campaign_id, kind, status, requested_by, current_budget_micros,
     requested_budget_micros, payload_json, reason, decided_by, decided_at, decision_note, created_at)
   SELECT id, client_id, campaign_id, kind, status, requested_by, current_budget_micros, requested_budget_micros,
     json_object('budgetMicros', requested_budget_micros, 'previousBudgetMicros', current_budget_micros),
     reason, decided_by, decided_at, decision_note, created_at
   FROM approvals`,
  `DROP TABLE approvals`,
  `ALTER TABLE approvals_v5 RENAME TO approvals`,
  `CREATE INDEX approvals_by_status ON approvals(status, created_at)`,
  `CREATE INDEX approvals_by_campaign ON approvals(campaign_id)`,
  `CREATE INDEX approvals_by_client ON approvals(client_id)`,
];

// Kysely runs SQLite migrations outside a transaction; this one has many steps, and a crash half-way would
// leave a cache that fails to migrate on every later start ("duplicate column"), so it is all-or-nothing.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const statement of statements) {
      await sql.raw(statement).execute(trx);
    }
  });
}
