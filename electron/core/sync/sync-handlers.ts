import { AppError } from '@kiki/shared/errors';
import type { SyncRpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';

// Interim wiring while the sync engine is built (issue #4): reports "signed out" truthfully and refuses the
// rest with a clear message. Replaced by the real sync module in the same change set.
const SIGNED_OUT_STATUS: SyncStatus = {
  connection: 'signedOut',
  syncing: false,
  pendingCount: 0,
  lastSyncedAt: null,
  lastError: null,
  nextRetryAt: null,
  issueCount: 0,
  initialSync: null,
};

function unavailable(): never {
  throw new AppError('UNAVAILABLE', 'Team sync is not available in this build yet.');
}

export function createSyncRpcHandlers(): SyncRpcHandlers {
  return {
    'session.get': () => ({ state: 'signedOut', lastServerUrl: null }),
    'session.signIn': unavailable,
    'session.verifyMfa': unavailable,
    'session.signOut': unavailable,
    'sync.status': () => SIGNED_OUT_STATUS,
    'sync.now': () => SIGNED_OUT_STATUS,
    'sync.issues': () => ({ issues: [] }),
    'sync.resolveIssue': unavailable,
    'campaigns.update': unavailable,
    'adCopies.update': unavailable,
  };
}
