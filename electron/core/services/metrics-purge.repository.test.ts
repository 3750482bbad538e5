import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dashboardSummary } from './dashboard.service';
import { createMetricsPurge } from './metrics-purge.repository';
import { createTestCache, type TestCache } from './test-factories';

let cache: TestCache;
beforeEach(async () => {
  cache = await createTestCache();
});
afterEach(async () => {
  await cache.handle.close();
});

describe('removing a client’s metrics', () => {
  it('leaves other clients of the same currency, every rollup and the row count exact', async () => {
    const gone = cache.addClient({ name: 'Revoked' });
    const kept = cache.addClient({ name: 'Kept' });
    const goneAd = cache.addAd(cache.addCampaign(gone), 'meta');
    const keptAd = cache.addAd(cache.addCampaign(kept), 'meta');
    cache.metrics.ingest([
      cache.metric(goneAd, 'meta', '2025-03-01', { spendMicros: 5_000_000 }),
      cache.metric(goneAd, 'meta', '2025-03-02', { spendMicros: 6_000_000 }),
      cache.metric(keptAd, 'meta', '2025-03-01', { spendMicros: 7_000_000 }),
    ]);
    const range = { from: '2025-03-01', to: '2025-03-31' };
    const keptBefore = await dashboardSummary(cache.handle.db, { clientId: kept, range });

    expect(createMetricsPurge(cache.handle.sqlite).removeClientMetrics(gone)).toBe(2);

    const all = await dashboardSummary(cache.handle.db, { clientId: null, range });
    expect(all.byCurrency).toEqual(keptBefore.byCurrency);
    const q = (sql: string) => cache.handle.sqlite.prepare(sql).get();
    expect(q('SELECT SUM(spend_micros) AS s FROM rollup_currency_day')).toEqual({ s: 7_000_000 });
    expect(q('SELECT COUNT(*) AS n FROM rollup_campaign_day')).toEqual({ n: 1 });
    expect(q('SELECT COUNT(*) AS n FROM rollup_campaign_month')).toEqual({ n: 1 });
    expect(q("SELECT value FROM cache_counters WHERE name = 'metric_rows'")).toEqual({ value: 1 });
    expect(q('SELECT COUNT(*) AS n FROM metrics_daily')).toEqual({ n: 1 });
  });

  it('does nothing for a client the cache does not hold', () => {
    expect(createMetricsPurge(cache.handle.sqlite).removeClientMetrics('0190a6f6-7d1e-7000-8000-000000000000')).toBe(0);
  });
});
