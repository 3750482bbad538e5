/**
 * Initial sync end to end on 127.0.0.1: ~1M metric rows on a real team server (production entry point in a child
 * process, PostgreSQL), a fresh desktop core signs in and downloads everything: catalogue, then metrics snapshot
 * pages over HTTP, JSON and zod on the device, SQLite inserts and rollup rebuilds. Reports rows/s from sign-in to
 * "synced" and the time until the app is usable (catalogue + recent metrics in). Target: >= 150,000 rows/s.
 * Exits 1 when the target is missed or the device's cache disagrees with the server, so `npm run bench` says so.
 *   npx tsx tests/bench/sync-initial.bench.ts [--ads 1370] [--days 730]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import { DATABASE_FILE_NAME } from '../../electron/core/app-core';
import { machineInfo, ms } from './desktop-bench-support';
import { seedBenchAgency, signInBench, startBenchDesktop, startSyncBench } from './sync-bench-support';

const { values } = parseArgs({ options: { ads: { type: 'string' }, days: { type: 'string' } } });
const ADS = Number(values.ads ?? 1370);
const DAYS = Number(values.days ?? 730);
const TARGET_ROWS_PER_SECOND = 150_000;

const bench = await startSyncBench();
let failed = false;
try {
  const seedStarted = performance.now();
  await bench.server.start();
  const agency = await seedBenchAgency(bench.db, { ads: ADS, days: DAYS, editors: 1 });
  console.log(
    `Seeded ${agency.metricRows.toLocaleString('en-US')} metric rows (${ADS} ads x ${DAYS} days) in ${ms(performance.now() - seedStarted)}`,
  );
  const editor = agency.editors[0];
  if (editor === undefined) throw new Error('no editor');

  const desktop = await startBenchDesktop();
  try {
    const phases: { phase: string; at: number }[] = [];
    let usableAt: number | null = null;
    let started = 0;
    // Synced means: a sync finished, nothing left of the initial download, no cycle running. Watched through the
    // status events (as the UI does), with a slow poll as a safety net: polling the core every few milliseconds
    // would bill the bench's own work to the thread it measures.
    const isSynced = (status: SyncStatus) =>
      status.lastSyncedAt !== null && status.initialSync === null && !status.syncing;
    let reachedSynced: () => void = () => undefined;
    let failedWith: (error: Error) => void = () => undefined;
    const synced = new Promise<void>((resolve, reject) => {
      reachedSynced = resolve;
      failedWith = reject;
    });
    const check = (status: SyncStatus) => {
      if (status.lastError !== null) failedWith(new Error(`sync failed: ${status.lastError.message}`));
      else if (isSynced(status)) reachedSynced();
    };
    desktop.core.onEvent((event, payload) => {
      if (event !== 'sync.status') return;
      const status = payload as SyncStatus;
      const phase = status.initialSync?.phase;
      if (phase !== undefined && phases.at(-1)?.phase !== phase) phases.push({ phase, at: performance.now() });
      if (usableAt === null && status.initialSync?.usable === true) usableAt = performance.now();
      check(status);
    });
    started = performance.now();
    await signInBench(desktop, bench.server.url, editor);
    const signedInAt = performance.now();
    const safetyNet = setInterval(() => {
      if (performance.now() - started > 600_000) failedWith(new Error('the initial sync took over 10 minutes'));
      void Promise.resolve(desktop.core.handlers['sync.status']({})).then(check, failedWith);
    }, 250);
    try {
      await synced;
    } finally {
      clearInterval(safetyNet);
    }
    const doneAt = performance.now();

    const local = new BetterSqlite3(path.join(desktop.dataDir, DATABASE_FILE_NAME), { readonly: true });
    const localTotals = local
      .prepare<[], { n: number; spend: number; clicks: number }>(
        'SELECT COUNT(*) AS n, SUM(spend_micros) AS spend, SUM(clicks) AS clicks FROM metrics_daily',
      )
      .get();
    const rollupTotals = local
      .prepare<[], { spend: number; clicks: number }>(
        'SELECT SUM(spend_micros) AS spend, SUM(clicks) AS clicks FROM rollup_campaign_day',
      )
      .get();
    local.close();
    const serverTotals = await sql<{ n: string; spend: string; clicks: string }>`
      SELECT count(*) AS n, sum(spend_micros) AS spend, sum(clicks) AS clicks
      FROM performance_metrics WHERE org_id = ${agency.orgId}`.execute(bench.db);
    const truth = serverTotals.rows[0];
    const rows = localTotals?.n ?? 0;
    if (
      truth === undefined ||
      rows !== Number(truth.n) ||
      localTotals?.spend !== Number(truth.spend) ||
      rollupTotals?.spend !== Number(truth.spend) ||
      rollupTotals.clicks !== Number(truth.clicks)
    ) {
      failed = true;
      console.error(
        `The device's cache disagrees with the server: local ${JSON.stringify(localTotals)}, rollups ${JSON.stringify(rollupTotals)}, server ${JSON.stringify(truth)}`,
      );
    }

    const total = doneAt - started;
    const metricsStart = phases.find((p) => p.phase === 'recentMetrics')?.at ?? signedInAt;
    const rate = rows / (total / 1000);
    const metricsRate = rows / ((doneAt - metricsStart) / 1000);
    console.log(`\n${machineInfo()}\n`);
    console.log('| Initial sync (server child process -> HTTP 127.0.0.1 -> desktop SQLite) | Result |');
    console.log('| --- | --- |');
    console.log(`| Metric rows downloaded | ${rows.toLocaleString('en-US')} |`);
    console.log(`| Sign-in (password, /me) | ${ms(signedInAt - started)} |`);
    for (const [i, p] of phases.entries()) {
      const end = phases[i + 1]?.at ?? doneAt;
      console.log(`| Phase ${p.phase} | ${ms(end - p.at)} |`);
    }
    console.log(
      `| Time until usable (catalogue + recent metrics) | ${usableAt === null ? 'never flagged' : ms((usableAt as number) - started)} |`,
    );
    console.log(`| Sign-in to synced | ${ms(total)} |`);
    console.log(
      `| **Rows/s end to end (sign-in to synced)** | **${Math.round(rate).toLocaleString('en-US')}** (target >= ${TARGET_ROWS_PER_SECOND.toLocaleString('en-US')}) |`,
    );
    console.log(`| Rows/s of the metrics phases alone | ${Math.round(metricsRate).toLocaleString('en-US')} |`);
    const pulls = desktop.metricsPulls;
    console.log(
      `| Waiting for metrics pages (server + PostgreSQL + transfer, ${pulls.requests} pages, ${(pulls.bytes / 2 ** 20).toFixed(0)} MiB) | ${ms(pulls.waitMs)} |`,
    );
    console.log(
      `| Desktop work and overlap (metrics phases minus that wait) | ${ms(doneAt - metricsStart - pulls.waitMs)} |`,
    );
    if (usableAt === null) {
      failed = true;
      console.error('The app never reported itself usable during the initial sync.');
    }
    if (rate < TARGET_ROWS_PER_SECOND) {
      failed = true;
      console.error(`Initial sync missed its target: ${Math.round(rate)} rows/s < ${TARGET_ROWS_PER_SECOND}.`);
    }
  } finally {
    desktop.close();
  }
} finally {
  await bench.close();
}
process.exit(failed ? 1 : 0);
