import type BetterSqlite3 from 'better-sqlite3';
import { syncEntityTypeSchema, type PullResponse } from '@kiki/shared/sync/sync-protocol';
import { rebasePendingMutations } from './mutation-appliers';
import { setPullCursor } from './sync-state.repository';
import { deleteSyncedEntity, emptyUpserted, purgeClient, upsertSyncChanges } from './synced-rows.repository';

export interface PullOutcome {
  /** Entity types whose local rows changed, for 'data.changed'. */
  touched: string[];
  /** Advertiser clients whose rows were purged from this device. */
  revokedClientIds: string[];
}

const DELETE_ORDER = [...syncEntityTypeSchema.options].reverse();

/**
 * Applies one pull page in ONE transaction: purges revoked clients, upserts changes parent-first, applies
 * tombstones child-first, re-applies queued edits on the rows that landed, and saves the cursor, so a crash
 * leaves either the whole page or none of it. A resetRequired page changes nothing: the caller runs
 * resetSyncedData and pulls again from null.
 */
export function applyPullPage(sqlite: BetterSqlite3.Database, page: PullResponse, now: Date): PullOutcome {
  if (page.resetRequired) return { touched: [], revokedClientIds: [] };
  const at = now.toISOString();
  const localClients = sqlite.prepare<[], { id: string }>('SELECT id FROM clients');

  return sqlite.transaction((): PullOutcome => {
    const touched = new Set<string>();
    const revoked = new Set<string>();
    const purge = (clientId: string) => {
      purgeClient(sqlite, clientId);
      revoked.add(clientId);
    };
    const known = new Set(localClients.all().map((c) => c.id));
    for (const clientId of page.scopesRevoked) if (known.has(clientId)) purge(clientId);

    const upserted = emptyUpserted();
    upsertSyncChanges(sqlite, page.changes, upserted, at);
    for (const type of upserted.types) touched.add(type);

    for (const entity of DELETE_ORDER) {
      for (const tombstone of page.tombstones) {
        if (tombstone.entity !== entity) continue;
        deleteSyncedEntity(sqlite, entity, tombstone.id);
        touched.add(entity);
      }
    }

    // The final page's readable list is complete: anything else held locally is no longer ours to keep.
    if (!page.hasMore) {
      const readable = new Set(page.readableClientIds);
      for (const { id } of localClients.all()) if (!readable.has(id)) purge(id);
    }
    if (revoked.size > 0) touched.add('client');

    // Edits up to lastAckedMutationId are already inside these rows even if their ack was lost.
    rebasePendingMutations(sqlite, upserted, at, page.lastAckedMutationId);
    setPullCursor(sqlite, page.cursor);
    return { touched: [...touched], revokedClientIds: [...revoked] };
  })();
}
