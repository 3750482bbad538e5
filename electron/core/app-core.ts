import fs from 'node:fs';
import path from 'node:path';
import type { RpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import { openDatabase } from './db/open-database';
import { createRpcHandlers } from './services/create-rpc-handlers';
import { generateDemoData } from './demo/demo-data.service';
import { createSyncRuntime, type SyncRuntimeDeps } from './sync/sync-handlers';
import type { TokenVault } from './sync/token-vault';

export interface AppCoreOptions {
  /** Directory holding kiki.sqlite (created if missing). */
  dataDir: string;
  /** If the db has no clients, fill it with the default demo data set. */
  demo?: boolean;
  /** Clock, defaults to () => new Date(). */
  now?: () => Date;
  appVersion?: string;
  /** See OpenDatabaseOptions.nativeBinding. */
  sqliteNativeBinding?: string;
  /**
   * Where the team server's refresh token is kept (main's keychain over the vault channel, keytar in the web host,
   * memory in tests). Without one, sign-in refuses with a message saying why.
   */
  vault?: TokenVault;
  /** Injectable for tests (e.g. a fetch that fails to simulate being offline). */
  fetch?: typeof fetch;
  /** Smaller sync pages for tests. */
  syncPageSizes?: SyncRuntimeDeps['pageSizes'];
}

export interface AppCore {
  handlers: RpcHandlers;
  /** Events for the renderer, e.g. 'data.changed'. Returns the unsubscribe function. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
  close(): void;
}

export const DATABASE_FILE_NAME = 'kiki.sqlite';

/**
 * The core's composition root: opens (and migrates) the local cache, optionally fills it with demo
 * data, and wires the RPC handlers. Used by the utilityProcess entry, the web host and tests alike.
 */
export async function createAppCore(options: AppCoreOptions): Promise<AppCore> {
  const now = options.now ?? (() => new Date());
  fs.mkdirSync(options.dataDir, { recursive: true });
  const handle = await openDatabase({
    filename: path.join(options.dataDir, DATABASE_FILE_NAME),
    ...(options.sqliteNativeBinding !== undefined ? { nativeBinding: options.sqliteNativeBinding } : {}),
  });
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners) listener(event, payload);
  };

  try {
    if (options.demo === true) {
      const clients = handle.sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM clients').get();
      if ((clients?.n ?? 0) === 0) await generateDemoData(handle, { now: now() });
    }
  } catch (error) {
    await handle.close();
    throw error;
  }

  const sync = createSyncRuntime({
    sqlite: handle.sqlite,
    now,
    emit,
    vault: options.vault ?? null,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.syncPageSizes ? { pageSizes: options.syncPageSizes } : {}),
  });
  try {
    sync.start();
  } catch (error) {
    sync.close();
    await handle.close();
    throw error;
  }

  let closed = false;
  return {
    handlers: {
      ...createRpcHandlers({ db: handle.db, appVersion: options.appVersion ?? '0.0.0-dev', emit }),
      ...sync.handlers,
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      // First, so no sync step can reach the database after it is closed.
      sync.close();
      listeners.clear();
      // better-sqlite3 is synchronous, so no query can be in flight here; closing the handle directly
      // also checkpoints the WAL.
      handle.sqlite.close();
    },
  };
}
