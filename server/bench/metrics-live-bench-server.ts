/**
 * Shared by the live-connections and metrics-pull benchmarks: a throwaway database (DATABASE_URL, or an embedded
 * PostgreSQL in a temp dir), and the real server in a child process, so its memory and CPU are measured apart
 * from the load generator. Run as a script with `--serve`, this file is that child.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { newId } from '@kiki/shared/ids';
import { buildApp } from '../src/app';
import { signAccessToken } from '../src/auth/jwt';
import { loadConfig, type Config } from '../src/config';
import { APP_ROLE } from '../src/db/app-role';
import { createDatabase } from '../src/db/create-database';
import type { Database } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { runMigrations } from '../src/db/migrate';

export interface BenchDatabase {
  url: string;
  /** The owner connection, for seeding and for changes the benchmark commits. */
  db: Kysely<Database>;
  env: Record<string, string>;
  config: Config;
  close(): Promise<void>;
}

/** Migrated database plus the environment a server child needs (fresh secrets, no rate limit in the way). */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  let tempDir: string | null = null;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let url = process.env.DATABASE_URL;
  if (url === undefined) {
    tempDir = await mkdtemp(join(tmpdir(), 'kiki-sync-bench-'));
    const embedded = await startEmbeddedPostgres({ dataDir: tempDir });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    DATABASE_URL: url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    KIKI_JWT_SECRET: randomBytes(48).toString('base64'),
    KIKI_TOTP_KEY: randomBytes(32).toString('base64'),
    KIKI_RATE_LIMIT_PER_MINUTE: '1000000',
    // One hour: the connections must outlive the benchmark's setup however slow the machine is.
    KIKI_ACCESS_TOKEN_TTL_SECONDS: '3600',
  };
  const config = loadConfig(env);
  const db = createDatabase({ url, maxConnections: 4 });
  await runMigrations(db);
  return {
    url,
    db,
    env,
    config,
    close: async () => {
      await db.destroy();
      if (stopEmbedded !== null) await stopEmbedded();
      if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
    },
  };
}

export interface BenchAgency {
  orgId: string;
  userId: string;
  clientId: string;
  /** One access token per requested session (distinct sessions, as distinct devices have). */
  tokens: string[];
  deviceId: string;
}

/** An agency with one advertiser client, an org-wide manager, `sessions` signed-in sessions and a device. */
export async function seedBenchAgency(
  bench: BenchDatabase,
  options: { sessions: number; timezone?: string },
): Promise<BenchAgency> {
  const { db, config } = bench;
  const orgId = newId();
  const userId = newId();
  const clientId = newId();
  const deviceId = newId();
  await db.insertInto('organizations').values({ id: orgId, name: 'Benchmark agency' }).execute();
  await db
    .insertInto('clients')
    .values({
      id: clientId,
      org_id: orgId,
      name: 'Benchmark brand',
      currency: 'USD',
      timezone: options.timezone ?? 'UTC',
    })
    .execute();
  await db
    .insertInto('users')
    .values({
      id: userId,
      org_id: orgId,
      email: `bench-${randomBytes(4).toString('hex')}@example.test`,
      display_name: 'Bench',
      // Never signed in with a password here: sessions are issued directly.
      password_hash: 'not-a-password-hash',
    })
    .execute();
  await db
    .insertInto('memberships')
    .values({ id: newId(), org_id: orgId, user_id: userId, role: 'manager', client_ids: null })
    .execute();
  await db
    .insertInto('sync_devices')
    .values({ id: deviceId, org_id: orgId, user_id: userId, name: 'bench', last_mutation_id: 0 })
    .execute();
  // Session rows in bulk and tokens signed directly: what sign-in would leave behind, without 10,000 round trips.
  const now = new Date();
  const expiresAt = new Date(now.getTime() + config.refreshTokenTtlDays * 86_400_000);
  const tokens: string[] = [];
  for (let i = 0; i < options.sessions; i += 1000) {
    const ids = Array.from({ length: Math.min(1000, options.sessions - i) }, () => newId());
    await db
      .insertInto('sessions')
      .values(
        ids.map((id) => ({ id, org_id: orgId, user_id: userId, expires_at: expiresAt, user_agent: 'bench', ip: null })),
      )
      .execute();
    for (const sessionId of ids) tokens.push((await signAccessToken(config, { userId, orgId, sessionId }, now)).token);
  }
  return { orgId, userId, clientId, tokens, deviceId };
}

export interface ServerMemory {
  rss: number;
  heapUsed: number;
}

export interface BenchServer {
  port: number;
  child: ChildProcess;
  /** The child's memory after a forced GC. */
  memory(): Promise<ServerMemory>;
  /** CPU seconds (user + system) the child has used so far: a load-independent measure on a shared machine. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the real app (as the app role, with its LISTEN connection) in a child process on 127.0.0.1. */
export async function spawnBenchServer(bench: BenchDatabase): Promise<BenchServer> {
  const child = fork(import.meta.filename, ['--serve'], {
    env: { ...process.env, ...bench.env },
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number }) =>
      m.port === undefined ? reject(new Error('no port')) : resolve(m.port),
    );
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    port,
    child,
    memory: () =>
      new Promise((resolve) => {
        child.once('message', (m: ServerMemory) => resolve(m));
        child.send('memory');
      }),
    cpuSeconds: () =>
      new Promise((resolve) => {
        child.once('message', (m: { cpuSeconds: number }) => resolve(m.cpuSeconds));
        child.send('cpu');
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function serve(): Promise<void> {
  const config = loadConfig(process.env);
  const url = process.env.DATABASE_URL as string;
  const db = createDatabase({ url, role: APP_ROLE, maxConnections: 10 });
  const app = await buildApp({ config, db, logger: pino({ level: 'silent' }), databaseUrl: url });
  await app.listen({ host: '127.0.0.1', port: 0 });
  process.on('message', (message) => {
    if (message === 'memory') {
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      process.send?.({ rss, heapUsed });
    } else if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuSeconds: (user + system) / 1e6 });
    } else if (message === 'stop') {
      void app
        .close()
        .then(() => db.destroy())
        .then(() => process.exit(0));
    }
  });
  process.send?.({ port: (app.server.address() as AddressInfo).port });
}

if (process.argv.includes('--serve')) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
