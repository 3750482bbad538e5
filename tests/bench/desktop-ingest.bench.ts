import fs from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../electron/core/db/open-database';
import { createMetricsIngest, type DailyMetricRow } from '../../electron/core/services/metrics-ingest.repository';
import { addDays } from '../../electron/core/services/calendar-days';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import { BENCH_DIR, ensureBenchDataset } from './bench-dataset';
import { assertEqual, machineInfo, ms } from './desktop-bench-support';

/**
 * Bulk ingest into the WAL cache file (prepared statements, one transaction per 50k-row batch, rollup
 * deltas summed in memory), then a 28-day restatement of one client.
 *   npx tsx tests/bench/desktop-ingest.bench.ts [--scale 1000000] [--seed 1]
 */
const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const scale = argument('scale', 1_000_000);
const seed = argument('seed', 1);
const BATCH = 50_000;

const source = await ensureBenchDataset({ scale, seed });
const work = path.join(BENCH_DIR, 'desktop-ingest-work.sqlite');
for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${work}${suffix}`, { force: true });
fs.copyFileSync(source, work);
const handle = await openDatabase({ filename: work });
const { sqlite } = handle;

interface Row {
  ad_id: string;
  platform: Platform;
  date: string;
  impressions: number;
  clicks: number;
  spend_micros: number;
  conversions: number;
  revenue_micros: number;
}
const toInput = (r: Row): DailyMetricRow => ({
  adId: r.ad_id,
  platform: r.platform,
  date: r.date,
  impressions: r.impressions,
  clicks: r.clicks,
  spendMicros: r.spend_micros,
  conversions: r.conversions,
  revenueMicros: r.revenue_micros,
});
// Connector reports arrive day by day for all of an account's ads, so replay in date order.
const rows = sqlite
  .prepare<[], Row>(
    `SELECT ad_id, platform, date, impressions, clicks, spend_micros, conversions, revenue_micros
     FROM metrics_daily ORDER BY date, ad_id`,
  )
  .all()
  .map(toInput);
const totalsQuery = (table: string) =>
  sqlite
    .prepare<[], { spend: number; revenue: number; clicks: number }>(
      `SELECT SUM(spend_micros) AS spend, SUM(revenue_micros) AS revenue, SUM(clicks) AS clicks FROM ${table}`,
    )
    .get();
const before = totalsQuery('metrics_daily');
sqlite.exec(`DELETE FROM metrics_daily; DELETE FROM rollup_client_platform_day; DELETE FROM rollup_currency_platform_day;
  DELETE FROM rollup_campaign_day; DELETE FROM rollup_campaign_month;`);
sqlite.pragma('wal_checkpoint(TRUNCATE)');

const ingest = createMetricsIngest(sqlite);
const started = performance.now();
for (let i = 0; i < rows.length; i += BATCH) ingest.ingest(rows.slice(i, i + BATCH));
const bulkMs = performance.now() - started;
for (const table of [
  'metrics_daily',
  'rollup_client_platform_day',
  'rollup_currency_platform_day',
  'rollup_campaign_day',
  'rollup_campaign_month',
]) {
  assertEqual(`bulk ingest totals in ${table}`, totalsQuery(table), before);
}

// Restate the last 28 days of the first client: spend up 5%, revenue down 10%.
const client = sqlite
  .prepare<[], { id: string; today: string }>(
    `SELECT id, (SELECT MAX(date) FROM rollup_client_platform_day r WHERE r.client_id = c.id) AS today
     FROM clients c ORDER BY created_at, name LIMIT 1`,
  )
  .get();
if (client === undefined) throw new Error('No client in the bench dataset.');
const from = addDays(client.today, -27);
const restated = sqlite
  .prepare<[string, string], Row>(
    `SELECT ad_id, platform, date, impressions, clicks, spend_micros, conversions, revenue_micros
     FROM metrics_daily WHERE client_id = ? AND date >= ? ORDER BY date, ad_id`,
  )
  .all(client.id, from)
  .map((r) => ({
    ...toInput(r),
    spendMicros: Math.round(r.spend_micros * 1.05),
    revenueMicros: Math.round(r.revenue_micros * 0.9),
  }));
const restateStarted = performance.now();
const restateResult = ingest.ingest(restated);
const restateMs = performance.now() - restateStarted;
const clientTotals = (table: string) =>
  sqlite
    .prepare<[string, string], { spend: number; revenue: number }>(
      `SELECT SUM(spend_micros) AS spend, SUM(revenue_micros) AS revenue FROM ${table} WHERE client_id = ? AND date >= ?`,
    )
    .get(client.id, from);
assertEqual('restated client rollup', clientTotals('rollup_client_platform_day'), clientTotals('metrics_daily'));
assertEqual('restated rows', restateResult.updated + restateResult.unchanged, restated.length);

const lines = [
  `Machine: ${machineInfo()}; ${new Date().toISOString()}`,
  '',
  '| Measurement | Result |',
  '| --- | --- |',
  `| Bulk ingest of ${rows.length.toLocaleString('en-US')} rows (WAL file, ${BATCH.toLocaleString('en-US')}-row transactions, all four rollups maintained) | ${ms(bulkMs)}, ${Math.round(rows.length / (bulkMs / 1000)).toLocaleString('en-US')} rows/s |`,
  `| 28-day restatement of one client (${restated.length.toLocaleString('en-US')} rows, old subtracted and new added in the rollups) | ${ms(restateMs)} |`,
];
process.stdout.write(`${lines.join('\n')}\n`);
await handle.close();
for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${work}${suffix}`, { force: true });
