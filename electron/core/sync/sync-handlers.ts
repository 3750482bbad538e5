import os from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';
import type { SyncRpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import { createLiveConnection, type LiveConnection } from './live-connection';
import { createLocalEdits } from './local-edits.service';
import { createSessionService } from './session.service';
import { createSyncEngine, type SyncRemote } from './sync-engine';
import { createSyncIssues } from './sync-issues.service';
import { createSqliteSyncStore } from './sync-store';
import type { TokenVault } from './token-vault';

export interface SyncRuntimeDeps {
  sqlite: BetterSqlite3.Database;
  now: () => Date;
  emit: (event: string, payload: unknown) => void;
  /** Where the refresh token lives; null means this build cannot sign in (said clearly on sign-in). */
  vault: TokenVault | null;
  fetch?: typeof fetch;
  /** Smaller pages for tests; the protocol maxima otherwise. */
  pageSizes?: { pull?: number; metrics?: number };
}

export interface SyncRuntime {
  handlers: SyncRpcHandlers;
  /** Resumes a signed-in session from the last run and starts syncing; never waits for the network or keychain. */
  start(): void;
  /** Stops the engine and the live socket; nothing touches SQLite afterwards. */
  close(): void;
}

/**
 * Core's sync module: the session (tokens), the engine loop, the live socket and the ten sync RPC methods,
 * wired so that signing in starts syncing, an edit pokes the engine, a poke pulls, and signing out or an
 * expired session stops it all.
 */
export function createSyncRuntime(deps: SyncRuntimeDeps): SyncRuntime {
  const { sqlite, now, emit } = deps;
  const localEdits = createLocalEdits({ sqlite, now });
  const issues = createSyncIssues({ sqlite, now, localEdits });
  let closed = false;

  const session = createSessionService({
    sqlite,
    vault: deps.vault,
    now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    onChange: (next) => {
      emit('session.changed', next);
      if (next.state !== 'signedIn') live.stop();
      engine.refreshStatus();
    },
  });

  const remote = (): SyncRemote | null => {
    const api = session.api();
    if (api === null) return null;
    return {
      register: (body) => session.withAccess((token) => api.register(token, body)),
      push: (body) => session.withAccess((token) => api.push(token, body)),
      pull: (body) => session.withAccess((token) => api.pull(token, body)),
      metricsPull: (body) => session.withAccess((token) => api.metricsPull(token, body)),
    };
  };

  const engine = createSyncEngine({
    store: createSqliteSyncStore({ sqlite, now, issueCount: () => issues.count() }),
    remote,
    now,
    emit,
    isAuthLost: () => session.get().state !== 'signedIn',
    deviceName: `KIKI Desktop on ${os.hostname()}`.slice(0, 200),
    ...(deps.pageSizes?.pull !== undefined ? { pullPageSize: deps.pageSizes.pull } : {}),
    ...(deps.pageSizes?.metrics !== undefined ? { metricsPageSize: deps.pageSizes.metrics } : {}),
  });

  const live: LiveConnection = createLiveConnection({
    url: () => session.api()?.liveUrl() ?? null,
    accessToken: () => session.accessToken(),
    renewAccess: (stale) => session.renewAccess(stale),
    onPoke: () => engine.trigger('poke'),
    onOpenChange: (open) => {
      engine.setLiveConnected(open);
      // Back online after a gap: whatever queued up meanwhile goes now rather than at the next backoff tick.
      if (open) engine.trigger('online');
    },
    onUpdateRequired: () => engine.trigger('now'),
  });

  const startSyncing = () => {
    if (closed) return;
    engine.resume();
    live.start();
    engine.trigger('start');
  };

  const afterLocalEdit = (entities: string[]) => {
    emit('data.changed', { entities });
    engine.trigger('edit');
  };

  const handlers: SyncRpcHandlers = {
    'session.get': () => session.get(),
    'session.signIn': async (input) => {
      const result = await session.signIn(input);
      if (result.step === 'done') startSyncing();
      return result;
    },
    'session.verifyMfa': async (input) => {
      const signedIn = await session.verifyMfa(input);
      startSyncing();
      return signedIn;
    },
    'session.signOut': async (input) => {
      live.stop();
      engine.stop();
      try {
        const result = await session.signOut(input);
        emit('data.changed', { entities: ['client', 'campaign', 'adCopy', 'ad', 'metrics'] });
        return result;
      } finally {
        // Signed out: the engine idles (no remote); still signed in (refused): it carries on.
        if (!closed) {
          if (session.get().state === 'signedIn') startSyncing();
          else engine.resume();
        }
      }
    },
    'sync.status': () => engine.status(),
    'sync.now': () => engine.syncNow(),
    'sync.issues': () => ({ issues: issues.list() }),
    'sync.resolveIssue': (input) => {
      const remaining = issues.resolve(input.mutationId, input.choice);
      afterLocalEdit(['campaign', 'adCopy']);
      return { issues: remaining };
    },
    'campaigns.update': (input) => {
      const result = localEdits.updateCampaign(input);
      afterLocalEdit(['campaign']);
      return result;
    },
    'adCopies.update': (input) => {
      const result = localEdits.updateAdCopy(input);
      afterLocalEdit(['adCopy']);
      return result;
    },
  };

  return {
    handlers,
    start() {
      const resumed = session.resume();
      if (resumed.state === 'signedIn') startSyncing();
      else engine.refreshStatus();
    },
    close() {
      closed = true;
      live.stop();
      engine.stop();
    },
  };
}
