import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import { syncMutationNameSchema, type TypedSyncMutation } from '@kiki/shared/sync/sync-mutations';
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

/** The oldest queued edits first, as the push sends them. */
export function listPendingMutations(sqlite: BetterSqlite3.Database, limit: number): WireMutation[] {
  return sqlite
    .prepare<[number], OutboxRow>(
      'SELECT mutation_id, name, args_json, base_version, created_at FROM outbox ORDER BY mutation_id LIMIT ?',
    )
    .all(limit)
    .map(toWire);
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
