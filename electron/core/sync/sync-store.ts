import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import { createMetricsApplier } from './metrics-apply';
import { countPending, highestMutationId, listPendingMutations, registrationMutationId } from './outbox.repository';
import { applyPullPage } from './pull-apply';
import { applyPushResults } from './push-results';
import { resetSyncedData } from './sync-reset';
import {
  getSyncState,
  markSynced,
  saveSignedInIdentity,
  setInitialSyncDone,
  setLastError,
} from './sync-state.repository';
import type { SyncStore } from './sync-engine';

/** The sync engine's local side on the core's SQLite cache, through the sync data layer's repositories. */
export function createSqliteSyncStore(deps: {
  sqlite: BetterSqlite3.Database;
  now: () => Date;
  issueCount: () => number;
}): SyncStore {
  const { sqlite, now } = deps;
  const knownClients = sqlite.prepare<[], { id: string }>('SELECT id FROM clients ORDER BY id');
  return {
    deviceId: () => getSyncState(sqlite).deviceId,
    rotateDeviceId(deviceId) {
      const state = getSyncState(sqlite);
      if (state.userId === null || state.orgId === null || state.serverUrl === null) {
        throw new AppError('UNAUTHENTICATED', 'Sign in to the team server to sync.');
      }
      saveSignedInIdentity(sqlite, {
        serverUrl: state.serverUrl,
        deviceId,
        user: { id: state.userId, email: state.userEmail ?? '', displayName: state.userDisplayName ?? '' },
        org: { id: state.orgId, name: state.orgName ?? '' },
        roles: state.roles,
      });
    },
    cursor: () => getSyncState(sqlite).cursor,
    initialSyncDone: () => getSyncState(sqlite).initialSyncDone,
    lastSyncedAt: () => getSyncState(sqlite).lastSyncedAt,
    listPending: (limit) => listPendingMutations(sqlite, limit),
    countPending: () => countPending(sqlite),
    highestMutationId: () => highestMutationId(sqlite),
    registrationMutationId: () => registrationMutationId(sqlite),
    applyPush: (sent, response) => applyPushResults(sqlite, sent, response, now()),
    applyPull: (page) => applyPullPage(sqlite, page, now()),
    resetSyncedData: () => resetSyncedData(sqlite),
    knownClientIds: () => knownClients.all().map((row) => row.id),
    markSynced(at) {
      markSynced(sqlite, at);
      setInitialSyncDone(sqlite, true);
    },
    setLastError: (error) => setLastError(sqlite, error),
    issueCount: deps.issueCount,
    metrics: createMetricsApplier(sqlite),
  };
}
