import { openDatabase } from '../../electron/core/db/open-database';
import { createRpcHandlers } from '../../electron/core/services/create-rpc-handlers';
import { addDays } from '../../electron/core/services/calendar-days';
import { campaignListInputSchema, type CampaignListInput } from '@kiki/shared/contract/rpc-contract';
import { ensureBenchDataset } from './bench-dataset';
import { machineInfo, measure, ms, type Timing } from './desktop-bench-support';

/**
 * campaigns.list over a 100k-campaign catalogue: what an operator waits for after clicking a column
 * header (sort change) or typing in the filter (filter change).
 *   npx tsx tests/bench/desktop-campaigns.bench.ts [--campaigns 100000] [--seed 1]
 */
const argument = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const campaigns = argument('campaigns', 100_000);
const seed = argument('seed', 1);

const file = await ensureBenchDataset({ campaigns, seed });
const handle = await openDatabase({ filename: file });
const handlers = createRpcHandlers({ db: handle.db, appVersion: 'bench' });
const facts = handle.sqlite
  .prepare<[], { last: string; campaigns: number; rows: number }>(
    `SELECT (SELECT MAX(date) FROM rollup_campaign_day) AS last, (SELECT COUNT(*) FROM campaigns) AS campaigns,
       (SELECT COUNT(*) FROM metrics_daily) AS rows`,
  )
  .get();
if (facts === undefined) throw new Error('Empty bench dataset.');
const clientIds = handle.sqlite
  .prepare<[], { id: string }>('SELECT id FROM clients ORDER BY name LIMIT 5')
  .all()
  .map((r) => r.id);

const ranges = {
  '30 days': { from: addDays(facts.last, -29), to: facts.last },
  '90 days': { from: addDays(facts.last, -89), to: facts.last },
  '2 years': { from: addDays(facts.last, -729), to: facts.last },
};

const sorts: CampaignListInput['sort'][] = (
  [
    'spend',
    'name',
    'roas',
    'ctr',
    'cpa',
    'clicks',
    'client',
    'budget',
    'startDate',
    'revenue',
    'conversions',
    'status',
  ] as const
).flatMap((column) => [
  { column, direction: 'desc' as const },
  { column, direction: 'asc' as const },
]);
const filters: Partial<CampaignListInput>[] = [
  { search: 'boots' },
  { search: 'sale' },
  { search: 'küche' },
  { search: 'serum #4' },
  { statuses: ['active'] },
  { statuses: ['paused', 'completed'] },
  { platforms: ['tiktok'] },
  { platforms: ['meta', 'google_ads'] },
  { clientIds },
  { clientIds: clientIds.slice(0, 1), search: 'a' },
  { search: 'trail', statuses: ['active'], platforms: ['meta'] },
];

const rows: { name: string; timing: Timing }[] = [];
for (const [label, range] of Object.entries(ranges)) {
  let i = 0;
  rows.push({
    name: `sort change, ${label} (cycles ${sorts.length} column/direction sorts)`,
    timing: await measure(
      () =>
        handlers['campaigns.list'](
          campaignListInputSchema.parse({ range, sort: sorts[i++ % sorts.length], limit: 100 }),
        ),
      { iterations: sorts.length * 3 },
    ),
  });
  let j = 0;
  rows.push({
    name: `filter change, ${label} (cycles ${filters.length} filters)`,
    timing: await measure(
      () =>
        handlers['campaigns.list'](
          campaignListInputSchema.parse({ range, ...filters[j++ % filters.length], limit: 100 }),
        ),
      { iterations: filters.length * 4 },
    ),
  });
}

const rangeList = Object.values(ranges);
let k = 0;
rows.push({
  name: 'period change (cycles the three periods: re-aggregates the rollups for every campaign)',
  timing: await measure(
    () =>
      handlers['campaigns.list'](
        campaignListInputSchema.parse({ range: rangeList[k++ % rangeList.length], limit: 100 }),
      ),
    { iterations: 15, warmup: 1 },
  ),
});

const lines = [
  `Dataset: ${facts.campaigns.toLocaleString('en-US')} campaigns, ${facts.rows.toLocaleString('en-US')} metric rows (seed ${seed}).`,
  `Machine: ${machineInfo()}; ${new Date().toISOString()}`,
  '',
  '| campaigns.list | p50 | p95 |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.name} | ${ms(r.timing.p50)} | ${ms(r.timing.p95)} |`),
];
process.stdout.write(`${lines.join('\n')}\n`);
await handle.close();
