import type { Kysely } from 'kysely';
import { clientScope, type Grant } from '@kiki/shared/permissions';
import type { Database } from '../db/database';

/** Who is syncing: the signed-in user of the request, and where the request came from (for audit rows). */
export interface SyncActor {
  orgId: string;
  userId: string;
  ip: string | null;
  requestId: string | null;
}

/**
 * Advertiser clients the user may read right now, recomputed from memberships on every call so a revoked
 * grant takes effect on the next pull. An agency-wide grant reaches every client that is not archived;
 * a client-limited grant reaches the listed ones that still exist and are not archived.
 */
export async function readableClientIds(
  db: Kysely<Database>,
  orgId: string,
  grants: readonly Grant[],
): Promise<string[]> {
  const scope = clientScope(grants, 'clients.read');
  if (scope !== 'all' && scope.length === 0) return [];
  const rows = await db
    .selectFrom('clients')
    .select('id')
    .where('org_id', '=', orgId)
    .where('archived_at', 'is', null)
    .$if(scope !== 'all', (q) => q.where('id', '=', (eb) => eb.fn.any(eb.val(scope === 'all' ? [] : scope))))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The agency's current sync version: every change up to it is visible to the caller's snapshot. */
export async function currentSyncVersion(
  db: Kysely<Database>,
  orgId: string,
): Promise<{ version: number; retainedFrom: number }> {
  const row = await db
    .selectFrom('sync_versions')
    .select(['version', 'retained_from'])
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return { version: row?.version ?? 0, retainedFrom: row?.retained_from ?? 0 };
}
