import type { Kysely } from 'kysely';
import { clientScope } from '@kiki/shared/permissions';
import type { Database } from '../db/database';
import { loadGrants } from '../plugins/rbac';
import type { ReadableClients } from './live-hub';

/**
 * Advertiser clients whose changes may poke this user: the same 'clients.read' reach the pull filters rows
 * by. An org-wide grant is 'all' (a client created later is readable too, with no recompute).
 */
export async function liveReadableClients(
  db: Kysely<Database>,
  orgId: string,
  userId: string,
): Promise<ReadableClients> {
  const scope = clientScope(await loadGrants(db, orgId, userId), 'clients.read');
  return scope === 'all' ? 'all' : new Set(scope);
}

/** The given sessions that may still be used: the same rule the authenticate plugin applies per request. */
export async function liveSessionIds(
  db: Kysely<Database>,
  sessionIds: readonly string[],
  now: Date = new Date(),
): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('sessions')
    .innerJoin('users', (join) =>
      join.onRef('users.id', '=', 'sessions.user_id').onRef('users.org_id', '=', 'sessions.org_id'),
    )
    .select('sessions.id')
    .where('sessions.id', '=', (eb) => eb.fn.any(eb.val([...sessionIds])))
    .where('sessions.revoked_at', 'is', null)
    .where('sessions.expires_at', '>', now)
    .where('users.status', '=', 'active')
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Each agency's current sync version (0 for one that never changed). */
export async function currentSyncVersions(
  db: Kysely<Database>,
  orgIds: readonly string[],
): Promise<Map<string, number>> {
  const versions = new Map<string, number>();
  if (orgIds.length === 0) return versions;
  const rows = await db
    .selectFrom('sync_versions')
    .select(['org_id', 'version'])
    .where('org_id', '=', (eb) => eb.fn.any(eb.val([...orgIds])))
    .execute();
  for (const row of rows) versions.set(row.org_id, Number(row.version));
  return versions;
}
