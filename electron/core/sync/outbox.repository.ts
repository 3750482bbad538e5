import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import { syncMutationNameSchema, VERSIONED_MUTATIONS, type TypedSyncMutation } from '@kiki/shared/sync/sync-mutations';
import type { WireMutation } from '@kiki/shared/sync/sync-protocol';

interface OutboxRow {
  mutation_id: number;
  name: string;
  args_json: string;
  base_version: number | null;
  created_at: string;
}

/** A queued edit as stored; `args` are already validated for `name`. */
export interface PendingMutation {
  id: number;
  mutation: TypedSyncMutation;
  baseVersion: number | null;
  createdAt: string;
}

function toWire(row: OutboxRow): WireMutation {
  const name = syncMutationNameSchema.safeParse(row.name);
  if (!name.success) {
    // Only this code writes the outbox, so an unknown name means a newer build wrote it and was downgraded.
    throw new AppError(
      'UPDATE_REQUIRED',
      `The queue holds a change of kind "${row.name}" that this version of KIKI does not know; update KIKI to send it.`,
    );
  }
  const wire: WireMutation = {
    id: row.mutation_id,
    name: name.data,
    args: JSON.parse(row.args_json) as unknown,
    createdAt: row.created_at,
  };
  if (row.base_version !== null) wire.baseVersion = row.base_version;
  return wire;
}

/**
 * Appends one edit to the queue. Call it inside the transaction that changes the domain row, so the edit and
 * its queue entry commit together or not at all. Returns the new mutation id.
 */
export function enqueueMutation(
  sqlite: BetterSqlite3.Database,
  mutation: TypedSyncMutation,
  baseVersion: number | null,
  createdAt: string,
): number {
  const result = sqlite
    .prepare('INSERT INTO outbox (name, args_json, base_version, created_at) VALUES (?, ?, ?, ?)')
    .run(mutation.name, JSON.stringify(mutation.args), baseVersion, createdAt);
  return Number(result.lastInsertRowid);
}

/** `campaign-id:field` for a versioned (status/budget) edit, null for every other kind. */
export function versionedFieldKey(mutation: Pick<WireMutation, 'name' | 'args'>): string | null {
  const field = VERSIONED_MUTATIONS[mutation.name];
  if (field === undefined) return null;
  const campaignId = (mutation.args as { campaignId?: unknown } | null)?.campaignId;
  return typeof campaignId === 'string' ? `${campaignId}:${field}` : null;
}

/**
 * The oldest queued edits first, as the push sends them. A batch stops before a second status (or budget)
 * edit of the same campaign: that edit's baseVersion assumes the first one lands, and only the first one's
 * answer tells whether it did (see `chainConflictingEdits`). Sending both at once could let the second
 * silently overwrite a teammate's value after the first came back as a conflict.
 */
export function listPendingMutations(sqlite: BetterSqlite3.Database, limit: number): WireMutation[] {
  const rows = sqlite
    .prepare<[number], OutboxRow>(
      'SELECT mutation_id, name, args_json, base_version, created_at FROM outbox ORDER BY mutation_id LIMIT ?',
    )
    .all(limit)
    .map(toWire);
  const seen = new Set<string>();
  const batch: WireMutation[] = [];
  for (const mutation of rows) {
    const key = versionedFieldKey(mutation);
    if (key !== null) {
      if (seen.has(key)) break;
      seen.add(key);
    }
    batch.push(mutation);
  }
  return batch;
}

/**
 * After a status/budget edit came back as a CONFLICT, later queued edits of the same field were made on top of
 * it, so their baseVersion (the first edit's result) means nothing any more. Giving them the conflicted edit's
 * baseVersion makes the server answer CONFLICT for them too, so the user decides instead of the newest
 * queued value winning by accident. Returns how many queued edits were re-based.
 */
export function chainConflictingEdits(
  sqlite: BetterSqlite3.Database,
  conflicted: Pick<WireMutation, 'id' | 'name' | 'args' | 'baseVersion'>,
): number {
  const key = versionedFieldKey(conflicted);
  if (key === null || conflicted.baseVersion === undefined) return 0;
  const later = sqlite
    .prepare<[string, number], OutboxRow>(
      'SELECT mutation_id, name, args_json, base_version, created_at FROM outbox WHERE name = ? AND mutation_id > ?',
    )
    .all(conflicted.name, conflicted.id);
  const rebase = sqlite.prepare('UPDATE outbox SET base_version = ? WHERE mutation_id = ?');
  let changed = 0;
  for (const row of later) {
    if (versionedFieldKey(toWire(row)) !== key) continue;
    changed += rebase.run(conflicted.baseVersion, row.mutation_id).changes;
  }
  return changed;
}

/** Every queued edit with typed args, oldest first; used to re-apply them on top of server rows (rebase). */
export function listPendingTyped(sqlite: BetterSqlite3.Database): PendingMutation[] {
  return sqlite
    .prepare<[], OutboxRow>(
      'SELECT mutation_id, name, args_json, base_version, created_at FROM outbox ORDER BY mutation_id',
    )
    .all()
    .map((row) => {
      const wire = toWire(row);
      return {
        id: wire.id,
        mutation: { name: wire.name, args: wire.args } as TypedSyncMutation,
        baseVersion: row.base_version,
        createdAt: row.created_at,
      };
    });
}

export function countPending(sqlite: BetterSqlite3.Database): number {
  return (sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
}

/** The highest mutation id ever allocated, even if that row is gone (sqlite_sequence outlives deletes). */
export function highestMutationId(sqlite: BetterSqlite3.Database): number {
  const row = sqlite.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get();
  return row?.seq ?? 0;
}

/**
 * The lastMutationId to register a NEW device id with: everything before the oldest queued edit. Registering
 * with highestMutationId while edits are still queued would tell the server they were already sent.
 */
export function registrationMutationId(sqlite: BetterSqlite3.Database): number {
  const row = sqlite.prepare<[], { id: number | null }>('SELECT MIN(mutation_id) AS id FROM outbox').get();
  return row?.id != null ? row.id - 1 : highestMutationId(sqlite);
}

/** Removes acknowledged edits: every listed id and every id up to `upTo`. Returns how many went. */
export function deleteAcknowledged(sqlite: BetterSqlite3.Database, ids: readonly number[], upTo: number): number {
  const byId = sqlite.prepare('DELETE FROM outbox WHERE mutation_id = ?');
  let removed = sqlite.prepare('DELETE FROM outbox WHERE mutation_id <= ?').run(upTo).changes;
  for (const id of ids) removed += byId.run(id).changes;
  return removed;
}

/** Drops every queued edit (sign-out with discardPending). Ids are still never reused. */
export function discardPending(sqlite: BetterSqlite3.Database): number {
  return sqlite.prepare('DELETE FROM outbox').run().changes;
}
