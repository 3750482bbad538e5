import { openDatabase } from '../../electron/core/db/open-database';
import { createRpcHandlers } from '../../electron/core/services/create-rpc-handlers';
import { addDays, previousRange } from '../../electron/core/services/calendar-days';
import { campaignListInputSchema } from '@kiki/shared/contract/rpc-contract';
import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import { ensureBenchDataset } from './bench-dataset';
import { assertEqual, machineInfo, measure, ms, type Timing } from './desktop-bench-support';

/**
 * Dashboard and campaign-list reads through the core service (rollups) against the same answers from
 * hand-written SQL over the raw metrics table, on the cached 10M-row dataset.
 *   npx tsx tests/bench/desktop-queries.bench.ts [--scale 10000000] [--seed 1]
 */
const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const scale = argument('scale', 10_000_000);
const seed = argument('seed', 1);

const file = await ensureBenchDataset({ scale, seed });
const handle = await openDatabase({ filename: file });
const { sqlite } = handle;
const handlers = createRpcHandlers({ db: handle.db, appVersion: 'bench' });

type RawTotals = { impressions: number; clicks: number; spend: number; conversions: number; revenue: number };
const toTotals = (r: RawTotals | undefined): MetricTotals => ({
  impressions: r?.impressions ?? 0,
  clicks: r?.clicks ?? 0,
  spendMicros: r?.spend ?? 0,
  conversions: r?.conversions ?? 0,
  revenueMicros: r?.revenue ?? 0,
});
const SUMS = `COALESCE(SUM(m.impressions), 0) AS impressions, COALESCE(SUM(m.clicks), 0) AS clicks,
  COALESCE(SUM(m.spend_micros), 0) AS spend, COALESCE(SUM(m.conversions), 0) AS conversions,
  COALESCE(SUM(m.revenue_micros), 0) AS revenue`;
// The best plan raw rows allow: walk the client's ads and seek each one's date range by primary key.
const CLIENT_RAW = `FROM campaigns c JOIN ads a ON a.campaign_id = c.id
  JOIN metrics_daily m ON m.ad_id = a.id AND m.platform = a.platform AND m.date BETWEEN ? AND ?
  WHERE c.client_id = ?`;

const rawClientTotals = sqlite.prepare<[string, string, string], RawTotals>(`SELECT ${SUMS} ${CLIENT_RAW}`);
const rawClientTrend = sqlite.prepare<[string, string, string], { date: string; spend: number; revenue: number }>(
  `SELECT m.date, SUM(m.spend_micros) AS spend, SUM(m.revenue_micros) AS revenue ${CLIENT_RAW} GROUP BY m.date`,
);
const rawClientPlatforms = sqlite.prepare<[string, string, string], RawTotals & { platform: string }>(
  `SELECT m.platform, ${SUMS} ${CLIENT_RAW} GROUP BY m.platform`,
);
const rawAllTrend = sqlite.prepare<
  [string, string],
  { currency: string; date: string; spend: number; revenue: number }
>(
  `SELECT cl.currency, m.date, SUM(m.spend_micros) AS spend, SUM(m.revenue_micros) AS revenue
   FROM metrics_daily m JOIN clients cl ON cl.id = m.client_id
   WHERE m.date BETWEEN ? AND ? GROUP BY cl.currency, m.date`,
);
const rawCampaignPage = sqlite.prepare<[string, string, number], RawTotals & { id: string }>(
  `WITH t AS (
     SELECT a.campaign_id, ${SUMS} FROM ads a
     JOIN metrics_daily m ON m.ad_id = a.id AND m.platform = a.platform AND m.date BETWEEN ? AND ?
     GROUP BY a.campaign_id)
   SELECT c.id, COALESCE(t.impressions, 0) AS impressions, COALESCE(t.clicks, 0) AS clicks,
     COALESCE(t.spend, 0) AS spend, COALESCE(t.conversions, 0) AS conversions, COALESCE(t.revenue, 0) AS revenue
   FROM campaigns c JOIN clients cl ON cl.id = c.client_id LEFT JOIN t ON t.campaign_id = c.id
   ORDER BY cl.currency, spend DESC, c.id LIMIT ?`,
);

const client = sqlite
  .prepare<[], { id: string; name: string; today: string }>(
    `SELECT cl.id, cl.name, (SELECT MAX(date) FROM rollup_client_platform_day r WHERE r.client_id = cl.id) AS today
     FROM clients cl ORDER BY cl.created_at, cl.name LIMIT 1`,
  )
  .get();
if (client === undefined) throw new Error('The bench dataset has no clients.');
const counts = sqlite
  .prepare<[], { rows: number; clients: number; campaigns: number; ads: number; first: string; last: string }>(
    `SELECT (SELECT COUNT(*) FROM metrics_daily) AS rows, (SELECT COUNT(*) FROM clients) AS clients,
       (SELECT COUNT(*) FROM campaigns) AS campaigns, (SELECT COUNT(*) FROM ads) AS ads,
       (SELECT MIN(date) FROM rollup_campaign_day) AS first, (SELECT MAX(date) FROM rollup_campaign_day) AS last`,
  )
  .get();
if (counts === undefined) throw new Error('Could not count the bench dataset.');

const range90 = { from: addDays(client.today, -89), to: client.today };
const previous90 = previousRange(range90);
const allTime = { from: counts.first, to: counts.last };
const range30 = { from: addDays(client.today, -29), to: client.today };

// (a) one client's 90-day dashboard
const dashboardA = async () => {
  const summary = await handlers['dashboard.summary']({ clientId: client.id, range: range90 });
  const trend = await handlers['dashboard.trend']({ clientId: client.id, range: range90, granularity: 'day' });
  const breakdown = await handlers['dashboard.platformBreakdown']({ clientId: client.id, range: range90 });
  return { summary, trend, breakdown };
};
const rawA = () => ({
  current: rawClientTotals.get(range90.from, range90.to, client.id),
  previous: rawClientTotals.get(previous90.from, previous90.to, client.id),
  trend: rawClientTrend.all(range90.from, range90.to, client.id),
  platforms: rawClientPlatforms.all(range90.from, range90.to, client.id),
});
{
  const service = await dashboardA();
  const raw = rawA();
  const entry = service.summary.byCurrency[0];
  assertEqual(
    '(a) summary',
    { current: entry?.current, previous: entry?.previous },
    {
      current: toTotals(raw.current),
      previous: toTotals(raw.previous),
    },
  );
  const rawTrend = new Map(raw.trend.map((r) => [r.date, r]));
  assertEqual(
    '(a) trend',
    service.trend.series[0]?.points,
    service.trend.series[0]?.points.map((p) => ({
      bucket: p.bucket,
      spendMicros: rawTrend.get(p.bucket)?.spend ?? 0,
      revenueMicros: rawTrend.get(p.bucket)?.revenue ?? 0,
    })),
  );
  const byPlatform = (rows: { platform: string; totals: MetricTotals }[]) =>
    [...rows].sort((x, y) => x.platform.localeCompare(y.platform));
  assertEqual(
    '(a) platform breakdown',
    byPlatform(service.breakdown.rows),
    byPlatform(
      raw.platforms.map((r) => ({ currency: entry?.currency ?? '', platform: r.platform, totals: toTotals(r) })),
    ),
  );
}

// (b) all clients' two-year trend
const trendB = () => handlers['dashboard.trend']({ clientId: null, range: allTime, granularity: 'day' });
{
  const service = await trendB();
  const raw = rawAllTrend.all(allTime.from, allTime.to);
  const rawByKey = new Map(raw.map((r) => [`${r.currency}|${r.date}`, r]));
  for (const series of service.series) {
    assertEqual(
      `(b) trend ${series.currency}`,
      series.points,
      series.points.map((p) => ({
        bucket: p.bucket,
        spendMicros: rawByKey.get(`${series.currency}|${p.bucket}`)?.spend ?? 0,
        revenueMicros: rawByKey.get(`${series.currency}|${p.bucket}`)?.revenue ?? 0,
      })),
    );
  }
}

// (c) the campaign list for a period, first page by spend
const listInput = campaignListInputSchema.parse({
  range: range30,
  sort: { column: 'spend', direction: 'desc' },
  limit: 100,
});
const listC = () => handlers['campaigns.list'](listInput);
{
  const service = await listC();
  const raw = rawCampaignPage.all(range30.from, range30.to, 100);
  assertEqual(
    '(c) campaign page',
    service.rows.map((r) => ({ id: r.campaign.id, totals: r.totals })),
    raw.map((r) => ({ id: r.id, totals: toTotals(r) })),
  );
}

const results: { name: string; service: Timing; raw: Timing }[] = [
  {
    name: `(a) one client's 90-day dashboard (summary + trend + platforms)`,
    service: await measure(dashboardA, { iterations: 300 }),
    raw: await measure(rawA, { iterations: 30 }),
  },
  {
    name: `(b) all clients' two-year daily trend`,
    service: await measure(trendB, { iterations: 200 }),
    raw: await measure(() => rawAllTrend.all(allTime.from, allTime.to), { iterations: 3, warmup: 1 }),
  },
  {
    name: '(c) campaign list, last 30 days, first page by spend',
    service: await measure(listC, { iterations: 100 }),
    raw: await measure(() => rawCampaignPage.all(range30.from, range30.to, 100), { iterations: 10, warmup: 1 }),
  },
];

// A period the list has not shown yet: the per-campaign totals are aggregated from the rollups first.
const yesterday30 = { from: addDays(range30.from, -1), to: addDays(range30.to, -1) };
let flip = 0;
results.push({
  name: '(c, new period) campaign list, first call for a period (alternates two 30-day periods)',
  service: await measure(
    () => handlers['campaigns.list']({ ...listInput, range: flip++ % 2 === 0 ? yesterday30 : range30 }),
    { iterations: 20, warmup: 1 },
  ),
  raw: await measure(() => rawCampaignPage.all(yesterday30.from, yesterday30.to, 100), { iterations: 5, warmup: 1 }),
});
const status = await measure(() => handlers['app.status']({}), { iterations: 50 });

const lines = [
  `Dataset: ${counts.rows.toLocaleString('en-US')} metric rows, ${counts.clients} clients, ${counts.campaigns} campaigns, ${counts.ads} ads, ${counts.first}..${counts.last} (seed ${seed}); answers asserted equal.`,
  `Machine: ${machineInfo()}; ${new Date().toISOString()}`,
  '',
  '| Query | service p50 | service p95 | raw SQL p50 | raw SQL p95 | raw / service (p50) |',
  '| --- | --- | --- | --- | --- | --- |',
  ...results.map(
    (r) =>
      `| ${r.name} | ${ms(r.service.p50)} | ${ms(r.service.p95)} | ${ms(r.raw.p50)} | ${ms(r.raw.p95)} | ${(r.raw.p50 / r.service.p50).toFixed(0)}x |`,
  ),
  '',
  `app.status (counts, latest date): p50 ${ms(status.p50)}, p95 ${ms(status.p95)}.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
await handle.close();
