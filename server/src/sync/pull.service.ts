import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import {
  PULL_MAX_ROWS,
  type PullRequest,
  type PullResponse,
  type SyncEntityType,
  type Tombstone,
} from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../db/database';
import { auditForeignDevice, ownDevice } from './device.service';
import { decodePullCursor, encodePullCursor, type SnapshotCursor } from './pull-cursor';
import { loadGrants } from '../plugins/rbac';
import { currentSyncVersion, readableClientIds, type SyncActor } from './sync-access';
import { appendEntityRows, countScopeRows, emptyChanges, SYNC_ENTITY_TYPES, type RowScope } from './sync-rows';

type PullBase = Pick<PullResponse, 'scopesRevoked' | 'readableClientIds' | 'lastAckedMutationId' | 'serverVersion'>;

function scopeFingerprint(clientIds: readonly string[]): string {
  return createHash('sha256').update(clientIds.join(',')).digest('hex').slice(0, 16);
}

/**
 * One page of a snapshot: every readable row of every entity table, table by table in dependency order,
 * keyset-paged by id. The version is fixed before the first page; rows that change while the device pages
 * arrive again as deltas after it, so the pages need not come from one database snapshot.
 */
async function snapshotPage(
  trx: Transaction<Database>,
  scope: RowScope,
  base: PullBase,
  previous: SnapshotCursor | null,
  limit: number,
): Promise<PullResponse> {
  const fingerprint = scopeFingerprint(scope.clientIds);
  const restart = previous === null || previous.h !== fingerprint;
  const state: SnapshotCursor = restart
    ? { k: 's', v: base.serverVersion, e: 0, a: null, d: 0, t: await countScopeRows(trx, scope), h: fingerprint }
    : previous;

  const changes = emptyChanges();
  let entityIndex = state.e;
  let afterId = state.a;
  let taken = 0;
  while (entityIndex < SYNC_ENTITY_TYPES.length && taken < limit) {
    const entity = SYNC_ENTITY_TYPES[entityIndex] as SyncEntityType;
    const want = limit - taken;
    const ids = await appendEntityRows(trx, entity, scope, { afterId, limit: want }, changes);
    taken += ids.length;
    if (ids.length < want) {
      entityIndex += 1;
      afterId = null;
    } else {
      afterId = ids.at(-1) ?? null;
    }
  }
  const done = state.d + taken;
  const progress = { done, total: Math.max(state.t, done) };
  const finished = entityIndex >= SYNC_ENTITY_TYPES.length;
  const cursor = finished
    ? encodePullCursor({ k: 'd', v: state.v })
    : encodePullCursor({ ...state, e: entityIndex, a: afterId, d: done });
  return { ...base, cursor, hasMore: !finished, resetRequired: false, changes, tombstones: [], progress };
}

/**
 * Changes after version `since` for clients the device already holds, plus every row of clients that
 * became readable since (their earlier changes were filtered out of the device's past pulls).
 */
async function deltaPage(
  trx: Transaction<Database>,
  orgId: string,
  readable: readonly string[],
  knownClientIds: readonly string[],
  base: PullBase,
  since: number,
  limit: number,
): Promise<PullResponse> {
  const known = new Set(knownClientIds);
  const added = readable.filter((id) => !known.has(id));
  const carried = readable.filter((id) => known.has(id));
  const changes = emptyChanges();
  const tombstones: Tombstone[] = [];

  for (const entity of SYNC_ENTITY_TYPES) {
    await appendEntityRows(trx, entity, { orgId, clientIds: added }, {}, changes);
  }

  let through = base.serverVersion;
  let hasMore = false;
  if (carried.length > 0) {
    const logged = await trx
      .selectFrom('sync_changes')
      .select(['version', 'entity_type', 'entity_id', 'op'])
      .where('org_id', '=', orgId)
      .where('version', '>', since)
      .where('client_id', '=', (eb) => eb.fn.any(eb.val(carried)))
      .orderBy('version')
      .limit(limit + 1)
      .execute();
    let page = logged;
    if (logged.length > limit) {
      // Never split a version across pages: the cursor says "everything up to v", so v must be complete.
      const firstLeftOut = logged[limit]?.version ?? 0;
      page = logged.filter((c) => c.version < firstLeftOut);
      if (page.length === 0) {
        // One transaction changed more rows than a page holds (a client deleted with all it had): send it whole.
        page = await trx
          .selectFrom('sync_changes')
          .select(['version', 'entity_type', 'entity_id', 'op'])
          .where('org_id', '=', orgId)
          .where('version', '=', firstLeftOut)
          .where('client_id', '=', (eb) => eb.fn.any(eb.val(carried)))
          .execute();
      }
      through = page.reduce((max, c) => Math.max(max, c.version), since);
      hasMore = through < base.serverVersion;
    }
    // Latest operation per row wins; an upsert whose row is gone by now is sent as a tombstone.
    const latest = new Map<string, { entity: SyncEntityType; id: string; op: 'upsert' | 'delete' }>();
    for (const change of page) {
      latest.set(`${change.entity_type}:${change.entity_id}`, {
        entity: change.entity_type,
        id: change.entity_id,
        op: change.op,
      });
    }
    for (const entity of SYNC_ENTITY_TYPES) {
      const upserts: string[] = [];
      for (const change of latest.values()) {
        if (change.entity !== entity) continue;
        if (change.op === 'delete') tombstones.push({ entity, id: change.id });
        else upserts.push(change.id);
      }
      if (upserts.length === 0) continue;
      const found = new Set(
        await appendEntityRows(trx, entity, { orgId, clientIds: carried }, { ids: upserts }, changes),
      );
      for (const id of upserts) if (!found.has(id)) tombstones.push({ entity, id });
    }
  }
  return {
    ...base,
    cursor: encodePullCursor({ k: 'd', v: through }),
    hasMore,
    resetRequired: false,
    changes,
    tombstones,
  };
}

/**
 * DESIGN.md section 4's pull, in one REPEATABLE READ READ ONLY transaction so the version, the readable
 * scopes and the rows all come from one snapshot. Only rows of clients the user can read now leave the
 * server.
 */
export async function pullChanges(db: Kysely<Database>, actor: SyncActor, request: PullRequest): Promise<PullResponse> {
  return auditForeignDevice(db, actor, request.deviceId, () => pullInSnapshot(db, actor, request));
}

async function pullInSnapshot(db: Kysely<Database>, actor: SyncActor, request: PullRequest): Promise<PullResponse> {
  const cursor = request.cursor === null ? null : decodePullCursor(request.cursor);
  const limit = Math.min(request.limit ?? PULL_MAX_ROWS, PULL_MAX_ROWS);
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const device = await ownDevice(trx, actor, request.deviceId);
      const grants = await loadGrants(trx, actor.orgId, actor.userId);
      const readable = await readableClientIds(trx, actor.orgId, grants);
      const { version, retainedFrom } = await currentSyncVersion(trx, actor.orgId);
      const readableSet = new Set(readable);
      const base: PullBase = {
        scopesRevoked: [...new Set(request.knownClientIds)].filter((id) => !readableSet.has(id)),
        readableClientIds: readable,
        lastAckedMutationId: device.last_mutation_id,
        serverVersion: version,
      };
      const scope: RowScope = { orgId: actor.orgId, clientIds: readable };
      if (cursor === null || cursor.k === 's') return snapshotPage(trx, scope, base, cursor, limit);
      // Older than the change log reaches, or from the future (a database restored from an older backup).
      if (cursor.v < retainedFrom || cursor.v > version) {
        return {
          ...base,
          cursor: request.cursor ?? '',
          hasMore: false,
          resetRequired: true,
          changes: emptyChanges(),
          tombstones: [],
        };
      }
      return deltaPage(trx, actor.orgId, readable, request.knownClientIds, base, cursor.v, limit);
    });
}
