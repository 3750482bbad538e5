import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import type { RpcHandlers } from '@kiki/shared/contract/rpc-handlers';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import { SYNC_SCHEMA_VERSION_HEADER } from '@kiki/shared/sync/sync-protocol';
// Type-only: brings in the `inject('pgAdminUrl')` typing that server/tests/helpers/global-setup.ts declares.
import type {} from '../../server/tests/helpers/global-setup';
import { buildApp } from '../../server/src/app';
import { generateTotpCode } from '../../server/src/auth/totp';
import { APP_ROLE } from '../../server/src/db/app-role';
import { createDatabase } from '../../server/src/db/create-database';
import { createClient, createOrg, createUser, type TestUser } from '../../server/tests/helpers/factories';
import { testConfig, type TestApp } from '../../server/tests/helpers/test-app';
import { createTestDatabase } from '../../server/tests/helpers/test-database';
import { createAppCore, DATABASE_FILE_NAME, type AppCore } from '../../electron/core/app-core';
import type { TokenVault } from '../../electron/core/sync/token-vault';

/** A real team server (Fastify + PostgreSQL, live endpoint with its LISTEN connection) on 127.0.0.1. */
export interface TeamServer {
  url: string;
  /** TestApp-shaped, so server/tests/helpers/world.ts seeds it. `db` is the owner connection. */
  t: TestApp;
  stop(): Promise<void>;
}

export async function startTeamServer(): Promise<TeamServer> {
  const database = await createTestDatabase();
  const config = testConfig();
  const appDb = createDatabase({ url: database.url, role: APP_ROLE, maxConnections: 5 });
  const app = await buildApp({ config, db: appDb, logger: pino({ level: 'silent' }), databaseUrl: database.url });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const { db } = database;
  const t: TestApp = {
    app,
    db,
    config,
    createOrg: (options) => createOrg(db, options),
    createClient: (options) => createClient(db, options),
    createUser: (options) => createUser(db, { ...options, totpKey: config.totpEncryptionKey }),
    loginAs: () => Promise.reject(new Error('desktop tests sign in through the app')),
    authHeader: () => Promise.reject(new Error('desktop tests sign in through the app')),
    destroy: () => Promise.resolve(),
  };
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    t,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await appDb.destroy();
      await database.destroy();
    },
  };
}

/** A vault in a Map that outlives core restarts, like the OS keychain does. */
export function memoryTokenVault(): TokenVault & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (key) => Promise.resolve(entries.get(key) ?? null),
    set: (key, value) => {
      entries.set(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      entries.delete(key);
      return Promise.resolve();
    },
  };
}

/** Switches a desktop's network: offline makes every HTTP request fail as a dropped connection would. */
export interface Network {
  offline: boolean;
  /** Overrides the schema version header, to play an out-of-date app. */
  schemaVersion: string | null;
}

export interface Desktop {
  core: AppCore;
  handlers: RpcHandlers;
  dataDir: string;
  vault: TokenVault & { entries: Map<string, string> };
  net: Network;
  events: { event: string; payload: unknown }[];
  /** Password, then TOTP when the account has MFA. */
  signIn(server: TeamServer, user: TestUser): Promise<void>;
  /** close() then createAppCore on the same folder and vault: a restarted app. */
  restart(): Promise<Desktop>;
  close(): void;
}

const tempDirs: string[] = [];

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export async function startDesktop(
  options: { dataDir?: string; vault?: Desktop['vault']; net?: Network } = {},
): Promise<Desktop> {
  let dataDir = options.dataDir;
  if (dataDir === undefined) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiki-sync-desktop-'));
    tempDirs.push(dataDir);
  }
  const vault = options.vault ?? memoryTokenVault();
  const net: Network = options.net ?? { offline: false, schemaVersion: null };
  const fetch: typeof globalThis.fetch = (input, init) => {
    if (net.offline) return Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED'));
    if (net.schemaVersion === null) return globalThis.fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set(SYNC_SCHEMA_VERSION_HEADER, net.schemaVersion);
    return globalThis.fetch(input, { ...init, headers });
  };
  const core = await createAppCore({ dataDir, vault, fetch, syncPageSizes: { pull: 50, metrics: 500 } });
  const events: Desktop['events'] = [];
  core.onEvent((event, payload) => events.push({ event, payload }));
  const desktop: Desktop = {
    core,
    handlers: core.handlers,
    dataDir,
    vault,
    net,
    events,
    async signIn(server, user) {
      const first = await core.handlers['session.signIn']({
        serverUrl: server.url,
        email: user.email,
        password: user.password,
      });
      if (first.step === 'mfa') {
        if (user.totpSecret === null) throw new Error(`${user.email} was asked for MFA but has no TOTP secret`);
        await core.handlers['session.verifyMfa']({ code: generateTotpCode(user.totpSecret, Date.now()) });
      } else if (first.step !== 'done') {
        throw new Error(`sign-in stopped at ${first.step}`);
      }
    },
    async restart() {
      core.close();
      return startDesktop({ dataDir, vault, net });
    },
    close: () => core.close(),
  };
  return desktop;
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 15_000,
): Promise<NonNullable<T>> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Until the desktop has finished a sync with nothing pending and no error. */
export function waitForSynced(desktop: Desktop, what = 'a clean sync'): Promise<SyncStatus> {
  return waitFor(async () => {
    const status = await desktop.handlers['sync.status']({});
    return status.pendingCount === 0 && !status.syncing && status.lastSyncedAt !== null && status.lastError === null
      ? status
      : null;
  }, what);
}

/** Every byte core wrote to its folder: kiki.sqlite, its WAL and anything else. */
export function desktopFilesBytes(desktop: Desktop): Buffer {
  const files = fs
    .readdirSync(desktop.dataDir)
    .filter((name) => fs.statSync(path.join(desktop.dataDir, name)).isFile());
  return Buffer.concat(files.map((name) => fs.readFileSync(path.join(desktop.dataDir, name))));
}

/** Reads the desktop's cache the way a test would look at it on disk (a separate read-only connection). */
export function localRows<T>(desktop: Desktop, query: string, ...params: unknown[]): T[] {
  const sqlite = new BetterSqlite3(path.join(desktop.dataDir, DATABASE_FILE_NAME), { readonly: true });
  try {
    return sqlite.prepare(query).all(...params) as T[];
  } finally {
    sqlite.close();
  }
}
