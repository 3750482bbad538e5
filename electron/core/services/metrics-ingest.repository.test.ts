import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCache, type TestCache } from './test-factories';

let cache: TestCache;
beforeEach(async () => {
  cache = await createTestCache();
});
afterEach(async () => {
  await cache.handle.close();
});

type Totals = { impressions: number; clicks: number; spend: number; conversions: number; revenue: number };
const SUMS =
  'SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(spend_micros) AS spend, ' +
  'SUM(conversions) AS conversions, SUM(revenue_micros) AS revenue';

function rawGrouped(groupBy: string): Record<string, Totals> {
  return grouped(`SELECT ${groupBy} AS k, ${SUMS} FROM metrics_daily m GROUP BY k`);
}

function grouped(query: string): Record<string, Totals> {
  const rows = cache.handle.sqlite.prepare<[], Totals & { k: string }>(query).all();
  return Object.fromEntries(
    rows
      .filter((r) => r.impressions + r.clicks + r.spend + r.conversions + r.revenue !== 0)
      .map(({ k, ...t }) => [k, t]),
  );
}

/** Every rollup must equal the same grouping computed from the raw rows. */
function expectRollupsExact(): void {
  expect(
    grouped(`SELECT client_id || date || platform AS k, ${SUMS} FROM rollup_client_platform_day GROUP BY k`),
  ).toEqual(rawGrouped('client_id || date || platform'));
  expect(
    grouped(`SELECT currency || date || platform AS k, ${SUMS} FROM rollup_currency_platform_day GROUP BY k`),
  ).toEqual(rawGrouped('(SELECT currency FROM clients WHERE id = m.client_id) || date || platform'));
  expect(grouped(`SELECT currency || date AS k, ${SUMS} FROM rollup_currency_day GROUP BY k`)).toEqual(
    rawGrouped('(SELECT currency FROM clients WHERE id = m.client_id) || date'),
  );
  expect(grouped(`SELECT campaign_id || date AS k, ${SUMS} FROM rollup_campaign_day GROUP BY k`)).toEqual(
    rawGrouped('campaign_id || date'),
  );
  expect(grouped(`SELECT campaign_id || month AS k, ${SUMS} FROM rollup_campaign_month GROUP BY k`)).toEqual(
    rawGrouped("campaign_id || substr(date, 1, 8) || '01'"),
  );
}

describe('metrics ingest', () => {
  it('upserts by (platform, ad, date): a restated day overwrites instead of duplicating', () => {
    const client = cache.addClient();
    const ad = cache.addAd(cache.addCampaign(client), 'meta');
    expect(cache.metrics.ingest([cache.metric(ad, 'meta', '2025-03-01', { spendMicros: 5_000_000 })])).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(cache.metrics.ingest([cache.metric(ad, 'meta', '2025-03-01', { spendMicros: 7_000_000 })])).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 0,
    });
    const rows = cache.handle.sqlite.prepare('SELECT spend_micros FROM metrics_daily').all();
    expect(rows).toEqual([{ spend_micros: 7_000_000 }]);
    const rollup = cache.handle.sqlite.prepare('SELECT spend_micros FROM rollup_campaign_month').all();
    expect(rollup).toEqual([{ spend_micros: 7_000_000 }]);
    expect(cache.metrics.ingest([cache.metric(ad, 'meta', '2025-03-01', { spendMicros: 7_000_000 })]).unchanged).toBe(
      1,
    );
  });

  it('keeps every rollup exact under random imports and restatements', () => {
    const usd = cache.addClient({ currency: 'USD' });
    const eur = cache.addClient({ currency: 'EUR', timezone: 'Europe/Berlin' });
    const ads = [
      { id: cache.addAd(cache.addCampaign(usd), 'meta'), platform: 'meta' as const },
      { id: cache.addAd(cache.addCampaign(usd), 'tiktok'), platform: 'tiktok' as const },
      { id: cache.addAd(cache.addCampaign(eur), 'google_ads'), platform: 'google_ads' as const },
    ];
    const dates = ['2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02'];
    const row = fc.record({
      ad: fc.nat({ max: ads.length - 1 }),
      date: fc.constantFrom(...dates),
      impressions: fc.nat({ max: 10_000 }),
      clicks: fc.nat({ max: 500 }),
      spendMicros: fc.nat({ max: 1e9 }),
      conversions: fc.nat({ max: 50 }),
      revenueMicros: fc.nat({ max: 1e9 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 12 }), { maxLength: 6 }), (batches) => {
        for (const batch of batches) {
          cache.metrics.ingest(
            batch.map(({ ad, ...values }) => {
              const target = ads[ad]!;
              return { ...values, adId: target.id, platform: target.platform };
            }),
          );
        }
        expectRollupsExact();
      }),
      { numRuns: 40 },
    );
  });

  it('rejects a bad batch whole and writes nothing', () => {
    const client = cache.addClient();
    const ad = cache.addAd(cache.addCampaign(client), 'meta');
    const good = cache.metric(ad, 'meta', '2025-03-01');
    expect(() => cache.metrics.ingest([good, cache.metric(ad, 'meta', '2025-02-30')])).toThrow(/real calendar day/);
    expect(() => cache.metrics.ingest([good, cache.metric(ad, 'tiktok', '2025-03-02')])).toThrow(/runs on meta/);
    expect(() => cache.metrics.ingest([good, cache.metric(ad, 'meta', '2025-03-02', { clicks: -1 })])).toThrow(
      /clicks must be a non-negative integer/,
    );
    expect(() => cache.metrics.ingest([good, cache.metric(ad, 'meta', '2025-03-02', { spendMicros: 1.5 })])).toThrow(
      /spendMicros/,
    );
    expect(() =>
      cache.metrics.ingest([good, cache.metric('0190a6f6-7d1e-7000-8000-000000000000', 'meta', '2025-03-02')]),
    ).toThrow(/not in the local cache/);
    const count = cache.handle.sqlite.prepare('SELECT COUNT(*) AS n FROM metrics_daily').get();
    expect(count).toEqual({ n: 0 });
    expect(cache.handle.sqlite.prepare('SELECT COUNT(*) AS n FROM rollup_campaign_day').get()).toEqual({ n: 0 });
  });
});
