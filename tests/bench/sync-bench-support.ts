/**
 * Shared by the sync benchmarks (initial sync, propagation): a throwaway PostgreSQL (embedded in a temp dir, or
 * DATABASE_URL), the production server entry point in a child process (so its CPU is not billed to the desktop,
 * as on real machines), and desktop cores on temp folders signed in with a password.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { newId } from '@kiki/shared/ids';
import { SYNC_PATHS } from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../../server/src/db/database';
import { createDatabase } from '../../server/src/db/create-database';
import { startEmbeddedPostgres } from '../../server/src/db/embedded-postgres';
import { runMigrations } from '../../server/src/db/migrate';
import { createUser, type TestUser } from '../../server/tests/helpers/factories';
import { createAppCore, type AppCore } from '../../electron/core/app-core';
import type { TokenVault } from '../../electron/core/sync/token-vault';
import { CHILD_SERVER_SECRETS, serverProcess, type ServerProcess } from '../sync/faults/server-process';

export interface SyncBench {
  db: Kysely<Database>;
  server: ServerProcess;
  close(): Promise<void>;
}

export async function startSyncBench(): Promise<SyncBench> {
  let tempDir: string | null = null;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let url = process.env.DATABASE_URL;
  if (url === undefined) {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'kiki-sync-bench-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir: tempDir });
    url = embedded.url;
    stopEmbedded = () => embedded.stop();
  }
  const db = createDatabase({ url, maxConnections: 4 });
  await runMigrations(db);
  const server = await serverProcess(url);
  return {
    db,
    server,
    async close() {
      await server.kill('SIGTERM');
      await db.destroy();
      if (stopEmbedded !== null) await stopEmbedded();
      if (tempDir !== null) await rm(tempDir, { recursive: true, force: true });
    },
  };
}

export interface BenchAgency {
  orgId: string;
  clientId: string;
  campaignIds: string[];
  editors: TestUser[];
  metricRows: number;
}

/**
 * One agency, one advertiser, `ads` ads over campaigns of 30, `days` days of metrics per ad ending today, and
 * `editors` operators who sign in with a password. Metrics are generated in SQL with row triggers off (the
 * embedded cluster's user is a superuser), then the agency's version is set past them, as after a bulk import.
 */
export async function seedBenchAgency(
  db: Kysely<Database>,
  options: { ads: number; days: number; editors: number },
): Promise<BenchAgency> {
  const orgId = newId();
  const clientId = newId();
  await db.insertInto('organizations').values({ id: orgId, name: 'Bench agency' }).execute();
  await db
    .insertInto('clients')
    .values({ id: clientId, org_id: orgId, name: 'Bench brand', currency: 'USD', timezone: 'UTC' })
    .execute();
  const campaignIds = Array.from({ length: Math.max(1, Math.ceil(options.ads / 30)) }, () => newId());
  await db
    .insertInto('campaigns')
    .values(
      campaignIds.map((id, i) => ({
        id,
        org_id: orgId,
        client_id: clientId,
        name: `Campaign ${i + 1}`,
        objective: 'sales' as const,
        status: 'active' as const,
        budget_type: 'daily' as const,
        budget_micros: 100_000_000,
        currency: 'USD',
        start_date: '2024-01-01',
        end_date: null,
        platforms: ['meta'],
      })),
    )
    .execute();
  await sql`
    INSERT INTO platform_deployments (id, org_id, campaign_id, platform, status, external_id, last_error)
    SELECT gen_random_uuid(), org_id, id, 'meta', 'live', NULL, NULL FROM campaigns WHERE org_id = ${orgId}`.execute(
    db,
  );
  await sql`
    INSERT INTO ads (id, org_id, campaign_id, deployment_id, platform, name, status, ad_copy_id, external_id)
    SELECT gen_random_uuid(), d.org_id, d.campaign_id, d.id, 'meta', 'Ad ' || g, 'active', NULL, NULL
    FROM (SELECT d.*, row_number() OVER (ORDER BY d.id) - 1 AS n, count(*) OVER () AS total
          FROM platform_deployments d WHERE d.org_id = ${orgId}) d
    CROSS JOIN generate_series(1, ${options.ads}) g
    WHERE (g - 1) % d.total = d.n`.execute(db);
  await db.connection().execute(async (conn) => {
    await sql`SET session_replication_role = replica`.execute(conn);
    await sql`
      INSERT INTO performance_metrics (org_id, platform, ad_id, date, client_id, campaign_id, impressions, clicks,
        spend_micros, conversions, revenue_micros, change_seq)
      SELECT a.org_id, a.platform, a.id, d::date, ${clientId}::uuid, a.campaign_id,
             (random() * 50000)::bigint, (random() * 900)::bigint, (random() * 500000000)::bigint,
             (random() * 40)::bigint, (random() * 2000000000)::bigint, 1
      FROM ads a CROSS JOIN generate_series(current_date - ${options.days - 1}::int, current_date, interval '1 day') d
      WHERE a.org_id = ${orgId}`.execute(conn);
    await sql`SET session_replication_role = origin`.execute(conn);
  });
  await sql`UPDATE sync_versions SET version = GREATEST(version, 1) WHERE org_id = ${orgId}`.execute(db);
  await sql`VACUUM ANALYZE performance_metrics`.execute(db);
  const counted = await sql<{ n: string }>`
    SELECT count(*) AS n FROM performance_metrics WHERE org_id = ${orgId}`.execute(db);
  const editors: TestUser[] = [];
  for (let i = 0; i < options.editors; i++) {
    editors.push(
      await createUser(db, {
        orgId,
        role: 'operator',
        email: `bench-editor-${i}-${newId().slice(-6)}@bench.test`,
        totpKey: CHILD_SERVER_SECRETS.totpKey,
      }),
    );
  }
  return { orgId, clientId, campaignIds, editors, metricRows: Number(counted.rows[0]?.n ?? 0) };
}

export interface BenchDesktop {
  core: AppCore;
  dataDir: string;
  /** Metrics pulls: wall time from request to the last byte of the body, i.e. the server's share plus transfer. */
  metricsPulls: { requests: number; waitMs: number; bytes: number };
  close(): void;
}

function memoryVault(): TokenVault {
  const entries = new Map<string, string>();
  return {
    get: (key) => Promise.resolve(entries.get(key) ?? null),
    set: (key, value) => Promise.resolve(void entries.set(key, value)),
    delete: (key) => Promise.resolve(void entries.delete(key)),
  };
}

/** A desktop core on a fresh folder with production page sizes; not signed in yet. */
export async function startBenchDesktop(): Promise<BenchDesktop> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiki-sync-bench-desktop-'));
  const metricsPulls = { requests: 0, waitMs: 0, bytes: 0 };
  // Reads each metrics page in full before handing it on, so the wait for the server is measured apart from what
  // the device does with the page (one extra buffer copy per page, negligible next to the page itself).
  const timedFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith(SYNC_PATHS.metricsPull)) return fetch(input, init);
    const started = performance.now();
    const response = await fetch(input, init);
    const body = await response.arrayBuffer();
    metricsPulls.requests += 1;
    metricsPulls.waitMs += performance.now() - started;
    metricsPulls.bytes += body.byteLength;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  const core = await createAppCore({ dataDir, vault: memoryVault(), fetch: timedFetch });
  return {
    core,
    dataDir,
    metricsPulls,
    close() {
      core.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function signInBench(desktop: BenchDesktop, serverUrl: string, user: TestUser): Promise<void> {
  const result = await desktop.core.handlers['session.signIn']({
    serverUrl,
    email: user.email,
    password: user.password,
  });
  if (result.step !== 'done') throw new Error(`sign-in stopped at ${result.step}`);
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
