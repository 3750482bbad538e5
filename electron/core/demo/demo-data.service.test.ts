import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { addDays } from '../services/calendar-days';
import { demoShapeFor, generateDemoData, type DemoOptions } from './demo-data.service';
import type { DemoShape } from './demo-catalog';

const handles: AppDatabase[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
});

const small: DemoShape = {
  clients: 3,
  campaignsPerClient: 3,
  adsPerCampaign: 4,
  alwaysOnShare: 0.67,
  flightDays: [20, 60],
};
const now = new Date('2026-03-15T18:00:00Z');

async function generate(options: Partial<DemoOptions> = {}) {
  const handle = await openDatabase({ filename: ':memory:' });
  handles.push(handle);
  const summary = await generateDemoData(handle, { now, shape: small, ...options });
  return { handle, summary };
}

function fingerprint(handle: AppDatabase): unknown {
  return handle.sqlite
    .prepare(
      `SELECT (SELECT group_concat(id || name, ',') FROM (SELECT id, name FROM campaigns ORDER BY id)) AS campaigns,
         (SELECT SUM(spend_micros) FROM metrics_daily) AS spend,
         (SELECT SUM(revenue_micros * 7 + clicks) FROM metrics_daily) AS mix`,
    )
    .get();
}

describe('demo data', { timeout: 30_000 }, () => {
  it('is identical for the same seed and clock, and different for another seed', async () => {
    const a = await generate({ seed: 11 });
    const b = await generate({ seed: 11 });
    const c = await generate({ seed: 12 });
    expect(fingerprint(a.handle)).toEqual(fingerprint(b.handle));
    expect(fingerprint(a.handle)).not.toEqual(fingerprint(c.handle));
    expect(a.summary).toEqual(b.summary);
  });

  it('fills every entity the screens need', async () => {
    const { handle } = await generate();
    const count = (table: string) =>
      (handle.sqlite.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    for (const table of [
      'organizations',
      'clients',
      'users',
      'memberships',
      'membership_clients',
      'campaigns',
      'campaign_platforms',
      'ad_copies',
      'image_prompts',
      'video_prompts',
      'user_assets',
      'ad_assets',
      'platform_deployments',
      'ads',
      'metrics_daily',
      'revenue_daily_summaries',
      'ltv_predictions',
      'approvals',
      'experiments',
      'alert_rules',
      'alert_events',
      'audit_log',
    ]) {
      expect(count(table), table).toBeGreaterThan(0);
    }
    const failed = handle.sqlite
      .prepare("SELECT last_error FROM platform_deployments WHERE status = 'failed'")
      .all() as { last_error: string }[];
    expect(failed).toHaveLength(1);
    expect(failed[0]?.last_error).toMatch(/budget/);
  });

  it('bills three clients in three currencies, JPY in whole yen, with two years ending today in each timezone', async () => {
    const { handle } = await generate();
    const rows = handle.sqlite
      .prepare(
        `SELECT cl.currency, cl.timezone, MIN(m.date) AS first, MAX(m.date) AS last,
           SUM(m.spend_micros % 1000000) AS fractional_yen
         FROM metrics_daily m JOIN clients cl ON cl.id = m.client_id GROUP BY cl.id ORDER BY cl.currency`,
      )
      .all() as { currency: string; timezone: string; first: string; last: string; fractional_yen: number }[];
    expect(rows.map((r) => [r.currency, r.timezone, r.last])).toEqual([
      ['EUR', 'Europe/Berlin', '2026-03-15'],
      ['JPY', 'Asia/Tokyo', '2026-03-16'],
      ['USD', 'America/New_York', '2026-03-15'],
    ]);
    for (const row of rows) expect(row.first).toBe(addDays(row.last, -729));
    expect(rows.find((r) => r.currency === 'JPY')?.fractional_yen).toBe(0);
  });

  it('has bad days: a spend spike with collapsed revenue, and an outage reported as zeros', async () => {
    const { handle } = await generate();
    const days = handle.sqlite
      .prepare(
        `SELECT r.date, SUM(r.spend_micros) AS spend, SUM(r.revenue_micros) AS revenue
         FROM rollup_client_platform_day r JOIN clients cl ON cl.id = r.client_id
         WHERE cl.currency = 'USD' GROUP BY r.date ORDER BY r.date`,
      )
      .all() as { date: string; spend: number; revenue: number }[];
    const roas = days.map((d) => (d.spend > 0 ? d.revenue / d.spend : null)).filter((r): r is number => r !== null);
    const median = [...roas].sort((x, y) => x - y)[Math.floor(roas.length / 2)] ?? 0;
    const spikeDay = addDays('2026-03-15', -9);
    const spike = days.find((d) => d.date === spikeDay);
    expect(spike !== undefined && spike.revenue / spike.spend).toBeLessThan(median / 4);
    const outage = handle.sqlite
      .prepare(
        `SELECT COUNT(*) AS n, SUM(impressions) AS impressions FROM metrics_daily m JOIN clients cl ON cl.id = m.client_id
         WHERE cl.currency = 'USD' AND m.platform = 'tiktok' AND m.date = ?`,
      )
      .get(addDays('2026-03-15', -33)) as { n: number; impressions: number };
    expect(outage.n).toBeGreaterThan(0);
    expect(outage.impressions).toBe(0);
  });

  it('refuses to write into a cache that already has clients', async () => {
    const { handle } = await generate();
    await expect(generateDemoData(handle, { now, shape: small })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('sizes the default agency and scales clients with --scale', () => {
    const base = demoShapeFor({});
    expect(base.clients).toBe(3);
    expect(base.clients * base.campaignsPerClient).toBeGreaterThanOrEqual(39);
    expect(base.clients * base.campaignsPerClient * base.adsPerCampaign).toBeGreaterThanOrEqual(585);
    expect(demoShapeFor({ scale: 10_000_000 }).clients).toBeGreaterThan(80);
    const wide = demoShapeFor({ campaigns: 100_000 });
    expect(wide.clients * wide.campaignsPerClient).toBe(100_000);
  });
});
