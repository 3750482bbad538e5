import { AppError } from '@kiki/shared/errors';
import type { SyncRpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';

// For transport and host tests that need every RPC method but no database: a core that was never signed in.
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
  throw new AppError('UNAVAILABLE', 'This fake core has no sync module.');
}

export function createSignedOutSyncHandlers(): SyncRpcHandlers {
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
