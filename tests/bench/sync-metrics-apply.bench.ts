import fs from 'node:fs';
import path from 'node:path';
import { newId } from '@kiki/shared/ids';
import { groupMetricRows, metricRowCount, type MetricRow } from '@kiki/shared/sync/metric-wire';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import {
  METRICS_PAGE_MAX_ROWS,
  METRICS_RECENT_DAYS,
  type MetricsPullResponse,
  type PullResponse,
} from '@kiki/shared/sync/sync-protocol';
import { openDatabase } from '../../electron/core/db/open-database';
import { addDays } from '../../electron/core/services/calendar-days';
import { createMetricsApplier } from '../../electron/core/sync/metrics-apply';
import { applyPullPage } from '../../electron/core/sync/pull-apply';
import { saveSignedInIdentity } from '../../electron/core/sync/sync-state.repository';
import { BENCH_DIR } from './bench-dataset';
import { assertEqual, machineInfo, ms } from './desktop-bench-support';

/**
 * Initial-sync metrics apply: ~1M snapshot rows in the server's wire shape (grouped per ad, key order within a
 * phase, 50k-row pages, recent days first) into a WAL cache file, rollups rebuilt when each phase ends. Times
 * the desktop side only (no network, no JSON parsing); the target is >= 150k rows/s end to end.
 *   npx tsx tests/bench/sync-metrics-apply.bench.ts [--rows 1000000] [--clients 4]
 */
const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const targetRows = argument('rows', 1_000_000);
const clientCount = argument('clients', 4);
const TARGET_ROWS_PER_SECOND = 150_000;
const TODAY = '2026-06-30';
const WINDOW_DAYS = 760; // ~25 months
const PLATFORMS: Platform[] = ['meta', 'google_ads', 'tiktok'];
const T = '2026-01-01T00:00:00.000Z';

fs.mkdirSync(BENCH_DIR, { recursive: true });
const file = path.join(BENCH_DIR, 'sync-metrics-apply-work.sqlite');
const removeFile = () => {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
};
removeFile();
const handle = await openDatabase({ filename: file });
const { sqlite } = handle;
saveSignedInIdentity(sqlite, {
  serverUrl: 'http://127.0.0.1:1',
  deviceId: newId(),
  user: { id: newId(), email: 'bench@agency.test', displayName: 'Bench' },
  org: { id: newId(), name: 'Bench Agency' },
  roles: [{ role: 'analyst', clientIds: null }],
});

// Catalogue: enough ads that every ad has a full window of days.
const adsPerClient = Math.ceil(targetRows / WINDOW_DAYS / clientCount);
const campaignsPerClient = Math.max(1, Math.ceil(adsPerClient / 40));
const page: PullResponse = {
  cursor: 'bench',
  hasMore: false,
  resetRequired: false,
  changes: {
    clients: [],
    campaigns: [],
    adCopies: [],
    imagePrompts: [],
    videoPrompts: [],
    deployments: [],
    ads: [],
    approvals: [],
  },
  tombstones: [],
  scopesRevoked: [],
  readableClientIds: [],
  lastAckedMutationId: 0,
  serverVersion: 1,
};
const adsByClient = new Map<string, { id: string; campaignId: string; platform: Platform }[]>();
for (let c = 0; c < clientCount; c += 1) {
  const clientId = newId();
  page.readableClientIds.push(clientId);
  page.changes.clients.push({
    id: clientId,
    name: `Client ${c + 1}`,
    currency: c % 2 === 0 ? 'USD' : 'EUR',
    timezone: 'UTC',
    budgetApprovalThresholdMicros: null,
    updatedAt: T,
  });
  const ads: { id: string; campaignId: string; platform: Platform }[] = [];
  for (let k = 0; k < campaignsPerClient; k += 1) {
    const campaignId = newId();
    page.changes.campaigns.push({
      id: campaignId,
      clientId,
      name: `Campaign ${c + 1}.${k + 1}`,
      objective: 'sales',
      status: 'active',
      budgetType: 'daily',
      budgetMicros: 100_000_000,
      currency: 'USD',
      startDate: '2024-01-01',
      endDate: null,
      platforms: PLATFORMS,
      updatedAt: T,
      statusVersion: 0,
      budgetVersion: 0,
      createdAt: T,
    });
    const deployments = PLATFORMS.map((platform) => ({
      id: newId(),
      campaignId,
      platform,
      externalId: null,
      status: 'live' as const,
      lastError: null,
      deployedAt: T,
      updatedAt: T,
    }));
    page.changes.deployments.push(...deployments);
    for (let a = k * 40; a < Math.min(adsPerClient, (k + 1) * 40); a += 1) {
      const deployment = deployments[a % PLATFORMS.length];
      if (deployment === undefined) throw new Error('no deployment');
      const ad = {
        id: newId(),
        campaignId,
        deploymentId: deployment.id,
        platform: deployment.platform,
        name: `Ad ${a + 1}`,
        status: 'active' as const,
        adCopyId: null,
        externalId: null,
        createdAt: T,
        updatedAt: T,
      };
      page.changes.ads.push(ad);
      ads.push(ad);
    }
  }
  // The server pages in primary-key order (ad_id, platform, date).
  ads.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  adsByClient.set(clientId, ads);
}
applyPullPage(sqlite, page, new Date(T));

const windowStart = addDays(TODAY, -(WINDOW_DAYS - 1));
const recentStart = addDays(TODAY, -(METRICS_RECENT_DAYS - 1));
const days: string[] = [];
for (let d = windowStart; d <= TODAY; d = addDays(d, 1)) days.push(d);
const recentDays = days.filter((d) => d >= recentStart);
const historyDays = days.filter((d) => d < recentStart);

/** Pages of one client's snapshot phase, built before the clock starts. */
function pages(clientId: string, phase: 'recent' | 'history', phaseDays: string[]): MetricsPullResponse[] {
  const result: MetricsPullResponse[] = [];
  let rows: MetricRow[] = [];
  let seed = 1;
  const flush = (last: boolean) => {
    result.push({
      cursor: newId(),
      hasMore: !last || phase === 'recent',
      phase,
      windowStart,
      ads: groupMetricRows(windowStart, rows),
      progress: { done: 0, total: 0 },
      resetRequired: false,
    });
    rows = [];
  };
  for (const ad of adsByClient.get(clientId) ?? []) {
    for (const date of phaseDays) {
      seed = (seed * 48271) % 2147483647;
      const impressions = seed % 5000;
      const clicks = seed % 97;
      rows.push({
        adId: ad.id,
        platform: ad.platform,
        date,
        impressions,
        clicks,
        spendMicros: (seed % 900) * 10_000,
        conversions: seed % 7,
        revenueMicros: (seed % 2000) * 10_000,
      });
      if (rows.length === METRICS_PAGE_MAX_ROWS) flush(false);
    }
  }
  flush(true);
  return result;
}

const applier = createMetricsApplier(sqlite);
let totalRows = 0;
let pageMs = 0;
let finishMs = 0;
let applyCpuMicros = 0;
const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;
const started = performance.now();
const cpuStarted = process.cpuUsage();
// As the sync loop does: every client's recent days first (dashboard usable), then each client's history.
for (const phase of ['recent', 'history'] as const) {
  for (const clientId of page.readableClientIds) {
    const phasePages = pages(clientId, phase, phase === 'recent' ? recentDays : historyDays);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const p of phasePages) {
      const result = applier.applySnapshotPage(clientId, p);
      if (result.skippedUnknownAds !== 0) throw new Error('rows were skipped');
      totalRows += metricRowCount(p.ads);
    }
    const t1 = performance.now();
    applier.finishSnapshotPhase(clientId, phase);
    pageMs += t1 - t0;
    finishMs += performance.now() - t1;
    applyCpuMicros += cpuMicros(process.cpuUsage(cpu0));
  }
}
const wallMs = performance.now() - started;
const cpuMs = cpuMicros(process.cpuUsage(cpuStarted)) / 1000;
const applyCpuMs = applyCpuMicros / 1000;
const applyMs = pageMs + finishMs;

const sum = (sql: string) => sqlite.prepare(sql).get();
assertEqual(
  'rollup totals',
  sum('SELECT SUM(spend_micros) AS s, SUM(clicks) AS c FROM rollup_campaign_day'),
  sum('SELECT SUM(spend_micros) AS s, SUM(clicks) AS c FROM metrics_daily'),
);
assertEqual(
  'currency rollup totals',
  sum('SELECT SUM(revenue_micros) AS r FROM rollup_currency_day'),
  sum('SELECT SUM(revenue_micros) AS r FROM metrics_daily'),
);
assertEqual('row count', sum("SELECT value AS n FROM cache_counters WHERE name = 'metric_rows'"), { n: totalRows });

const rate = Math.round(totalRows / (applyMs / 1000));
const lines = [
  `Machine: ${machineInfo()}; ${new Date().toISOString()}`,
  '',
  '| Measurement | Result |',
  '| --- | --- |',
  `| Snapshot apply of ${totalRows.toLocaleString('en-US')} metric rows (${clientCount} clients, ${page.changes.ads.length.toLocaleString('en-US')} ads, ${METRICS_PAGE_MAX_ROWS.toLocaleString('en-US')}-row pages, WAL file) | ${ms(applyMs)}: **${rate.toLocaleString('en-US')} rows/s** (target ${TARGET_ROWS_PER_SECOND.toLocaleString('en-US')}) |`,
  `| of which raw page inserts | ${ms(pageMs)} (${Math.round(totalRows / (pageMs / 1000)).toLocaleString('en-US')} rows/s) |`,
  `| of which rollup rebuilds (${clientCount * 2} phase ends) | ${ms(finishMs)} |`,
  `| CPU time of the apply (pages + rebuilds) | ${ms(applyCpuMs)}: ${Math.round(totalRows / (applyCpuMs / 1000)).toLocaleString('en-US')} rows per CPU-second, what an idle core approaches (wall time also waits for fsync and, on a busy machine, for the CPU) |`,
  `| wall time including building the pages in memory | ${ms(wallMs)} (CPU ${ms(cpuMs)}) |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
await handle.close();
removeFile();
if (rate < TARGET_ROWS_PER_SECOND) {
  process.stderr.write(`Below the ${TARGET_ROWS_PER_SECOND.toLocaleString('en-US')} rows/s target.\n`);
  process.exit(1);
}
