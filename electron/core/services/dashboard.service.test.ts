import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardPlatformBreakdown, dashboardSummary, dashboardTrend } from './dashboard.service';
import { createTestCache, type TestCache } from './test-factories';

let cache: TestCache;
let usd: string;
let eur: string;
beforeEach(async () => {
  cache = await createTestCache();
  usd = cache.addClient({ name: 'Acme', currency: 'USD' });
  eur = cache.addClient({ name: 'Brennwald', currency: 'EUR', timezone: 'Europe/Berlin' });
  cache.addClient({ name: 'Sakura', currency: 'JPY', timezone: 'Asia/Tokyo' });
  const usdMeta = cache.addAd(cache.addCampaign(usd, { platforms: ['meta', 'tiktok'] }), 'meta');
  const usdTiktok = cache.addAd(cache.addCampaign(usd), 'tiktok');
  const eurGoogle = cache.addAd(cache.addCampaign(eur), 'google_ads');
  cache.metrics.ingest([
    // Previous period for March 8-14 is March 1-7.
    cache.metric(usdMeta, 'meta', '2025-03-01', { spendMicros: 1_000_000, revenueMicros: 2_000_000 }),
    cache.metric(usdMeta, 'meta', '2025-03-07', { spendMicros: 3_000_000, revenueMicros: 1_000_000 }),
    cache.metric(usdMeta, 'meta', '2025-03-08', { spendMicros: 10_000_000, revenueMicros: 40_000_000 }),
    cache.metric(usdTiktok, 'tiktok', '2025-03-10', { spendMicros: 5_000_000, revenueMicros: 5_000_000 }),
    cache.metric(usdMeta, 'meta', '2025-03-14', { spendMicros: 7_000_000, revenueMicros: 1_000_000 }),
    cache.metric(usdMeta, 'meta', '2025-03-15', { spendMicros: 99_000_000 }),
    cache.metric(eurGoogle, 'google_ads', '2025-03-09', { spendMicros: 20_000_000, revenueMicros: 60_000_000 }),
  ]);
});
afterEach(async () => {
  await cache.handle.close();
});

const week = { from: '2025-03-08', to: '2025-03-14' };

describe('dashboard summary', () => {
  it('totals one client for the range and the same-length period just before it', async () => {
    const summary = await dashboardSummary(cache.handle.db, { clientId: usd, range: week });
    expect(summary.previousRange).toEqual({ from: '2025-03-01', to: '2025-03-07' });
    expect(summary.byCurrency).toEqual([
      {
        currency: 'USD',
        current: {
          impressions: 3000,
          clicks: 150,
          spendMicros: 22_000_000,
          conversions: 15,
          revenueMicros: 46_000_000,
        },
        previous: { impressions: 2000, clicks: 100, spendMicros: 4_000_000, conversions: 10, revenueMicros: 3_000_000 },
      },
    ]);
  });

  it('gives All clients one entry per currency and never adds euros to dollars', async () => {
    const summary = await dashboardSummary(cache.handle.db, { clientId: null, range: week });
    expect(summary.byCurrency.map((c) => [c.currency, c.current.spendMicros])).toEqual([
      ['EUR', 20_000_000],
      ['JPY', 0],
      ['USD', 22_000_000],
    ]);
  });

  it('refuses an unknown client', async () => {
    await expect(
      dashboardSummary(cache.handle.db, { clientId: '0190a6f6-7d1e-7000-8000-000000000000', range: week }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('dashboard trend', () => {
  it('buckets by day with quiet days as zero', async () => {
    const trend = await dashboardTrend(cache.handle.db, {
      clientId: usd,
      range: { from: '2025-03-07', to: '2025-03-09' },
      granularity: 'day',
    });
    expect(trend.series).toEqual([
      {
        currency: 'USD',
        points: [
          { bucket: '2025-03-07', spendMicros: 3_000_000, revenueMicros: 1_000_000 },
          { bucket: '2025-03-08', spendMicros: 10_000_000, revenueMicros: 40_000_000 },
          { bucket: '2025-03-09', spendMicros: 0, revenueMicros: 0 },
        ],
      },
    ]);
  });

  it('buckets by ISO week starting Monday, labelled with the first day of the week', async () => {
    const trend = await dashboardTrend(cache.handle.db, {
      clientId: usd,
      range: { from: '2025-03-01', to: '2025-03-16' },
      granularity: 'week',
    });
    // 2025-03-01 is a Saturday: its week began Monday 2025-02-24.
    expect(trend.series[0]?.points).toEqual([
      { bucket: '2025-02-24', spendMicros: 1_000_000, revenueMicros: 2_000_000 },
      { bucket: '2025-03-03', spendMicros: 13_000_000, revenueMicros: 41_000_000 },
      { bucket: '2025-03-10', spendMicros: 111_000_000, revenueMicros: 36_000_000 },
    ]);
  });

  it('buckets by month, one series per currency for All clients', async () => {
    const trend = await dashboardTrend(cache.handle.db, {
      clientId: null,
      range: { from: '2025-02-15', to: '2025-03-31' },
      granularity: 'month',
    });
    expect(trend.series.map((s) => [s.currency, s.points])).toEqual([
      [
        'EUR',
        [
          { bucket: '2025-02-01', spendMicros: 0, revenueMicros: 0 },
          { bucket: '2025-03-01', spendMicros: 20_000_000, revenueMicros: 60_000_000 },
        ],
      ],
      [
        'JPY',
        [
          { bucket: '2025-02-01', spendMicros: 0, revenueMicros: 0 },
          { bucket: '2025-03-01', spendMicros: 0, revenueMicros: 0 },
        ],
      ],
      [
        'USD',
        [
          { bucket: '2025-02-01', spendMicros: 0, revenueMicros: 0 },
          { bucket: '2025-03-01', spendMicros: 125_000_000, revenueMicros: 79_000_000 },
        ],
      ],
    ]);
  });
});

describe('dashboard platform breakdown', () => {
  it('totals per currency and platform', async () => {
    const { rows } = await dashboardPlatformBreakdown(cache.handle.db, { clientId: null, range: week });
    expect(rows.map((r) => [r.currency, r.platform, r.totals.spendMicros])).toEqual([
      ['EUR', 'google_ads', 20_000_000],
      ['USD', 'meta', 17_000_000],
      ['USD', 'tiktok', 5_000_000],
    ]);
  });
});
