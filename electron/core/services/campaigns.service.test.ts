import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { campaignListInputSchema, type CampaignListInput } from '@kiki/shared/contract/rpc-contract';
import { campaignDetail, listCampaigns } from './campaigns.service';
import { createTestCache, type TestCache } from './test-factories';

let cache: TestCache;
let ids: Record<string, string>;
let clients: Record<string, string>;
beforeEach(async () => {
  cache = await createTestCache();
  clients = { acme: cache.addClient({ name: 'Acme' }), brenn: cache.addClient({ name: 'Brennwald', currency: 'EUR' }) };
  ids = {
    boots: cache.addCampaign(clients.acme!, { name: 'Summer Boots', platforms: ['meta', 'tiktok'] }),
    jacket: cache.addCampaign(clients.acme!, { name: 'Winter Jacket', status: 'paused', platforms: ['google_ads'] }),
    kueche: cache.addCampaign(clients.brenn!, { name: 'KÜCHEN Herbst', platforms: ['meta'] }),
    idle: cache.addCampaign(clients.brenn!, { name: 'Idle 100%_test', status: 'draft', platforms: ['tiktok'] }),
  };
  const bootsMeta = cache.addAd(ids.boots!, 'meta');
  const bootsTiktok = cache.addAd(ids.boots!, 'tiktok');
  const jacket = cache.addAd(ids.jacket!, 'google_ads');
  const kueche = cache.addAd(ids.kueche!, 'meta');
  cache.metrics.ingest([
    // Spread across a month edge, whole months and the other edge.
    cache.metric(bootsMeta, 'meta', '2025-01-20', { spendMicros: 1_000_000, revenueMicros: 5_000_000, conversions: 1 }),
    cache.metric(bootsMeta, 'meta', '2025-02-10', { spendMicros: 2_000_000, revenueMicros: 5_000_000, conversions: 1 }),
    cache.metric(bootsTiktok, 'tiktok', '2025-03-05', { spendMicros: 4_000_000, revenueMicros: 2_000_000 }),
    cache.metric(bootsMeta, 'meta', '2025-03-25', { spendMicros: 99_000_000 }),
    cache.metric(jacket, 'google_ads', '2025-02-14', {
      spendMicros: 50_000_000,
      revenueMicros: 10_000_000,
      clicks: 10,
    }),
    cache.metric(kueche, 'meta', '2025-02-01', { spendMicros: 20_000_000, revenueMicros: 80_000_000, clicks: 300 }),
  ]);
});
afterEach(async () => {
  await cache.handle.close();
});

const range = { from: '2025-01-15', to: '2025-03-10' };
const list = (input: Partial<CampaignListInput> = {}) =>
  listCampaigns(cache.handle.db, campaignListInputSchema.parse({ range, ...input }));
const names = async (input: Partial<CampaignListInput> = {}) => (await list(input)).rows.map((r) => r.campaign.name);

describe('campaign list', () => {
  it("shows each campaign's totals for the period, edges and whole months alike", async () => {
    const page = await list();
    expect(page.total).toBe(4);
    const boots = page.rows.find((r) => r.campaign.id === ids.boots);
    expect(boots?.totals).toEqual({
      impressions: 3000,
      clicks: 150,
      spendMicros: 7_000_000,
      conversions: 7,
      revenueMicros: 12_000_000,
    });
    expect(boots?.campaign).toMatchObject({ currency: 'USD', platforms: ['meta', 'tiktok'] });
    expect(boots?.clientName).toBe('Acme');
    expect(page.rows.find((r) => r.campaign.id === ids.idle)?.totals.spendMicros).toBe(0);
  });

  it('sorts by spend descending by default, within each currency, and pages with a stable total', async () => {
    expect(await names()).toEqual(['KÜCHEN Herbst', 'Idle 100%_test', 'Winter Jacket', 'Summer Boots']);
    const second = await list({ offset: 1, limit: 2 });
    expect(second.total).toBe(4);
    expect(second.rows.map((r) => r.campaign.name)).toEqual(['Idle 100%_test', 'Winter Jacket']);
    expect(await list({ offset: 10 })).toEqual({ total: 4, rows: [] });
  });

  it('never ranks one currency against another on money columns, but does on counts', async () => {
    for (const column of ['spend', 'revenue', 'budget', 'cpa'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const currencies = (await list({ sort: { column, direction } })).rows.map((r) => r.campaign.currency);
        expect(currencies, `${column} ${direction}`).toEqual(['EUR', 'EUR', 'USD', 'USD']);
      }
    }
    // Clicks are not money: Küchen's 300 clicks outrank the dollar campaigns.
    expect((await names({ sort: { column: 'clicks', direction: 'desc' } }))[0]).toBe('KÜCHEN Herbst');
    expect((await names({ sort: { column: 'clicks', direction: 'asc' } })).at(-1)).toBe('KÜCHEN Herbst');
  });

  it('sorts derived ratios in SQL with campaigns lacking a denominator last either way', async () => {
    expect(await names({ sort: { column: 'roas', direction: 'desc' } })).toEqual([
      'KÜCHEN Herbst',
      'Summer Boots',
      'Winter Jacket',
      'Idle 100%_test',
    ]);
    expect(await names({ sort: { column: 'roas', direction: 'asc' } })).toEqual([
      'Winter Jacket',
      'Summer Boots',
      'KÜCHEN Herbst',
      'Idle 100%_test',
    ]);
    // CPA is money: within each currency, the campaign without conversions is last either way.
    expect(await names({ sort: { column: 'cpa', direction: 'asc' } })).toEqual([
      'KÜCHEN Herbst',
      'Idle 100%_test',
      'Summer Boots',
      'Winter Jacket',
    ]);
    expect(await names({ sort: { column: 'cpa', direction: 'desc' } })).toEqual([
      'KÜCHEN Herbst',
      'Idle 100%_test',
      'Winter Jacket',
      'Summer Boots',
    ]);
    expect((await names({ sort: { column: 'ctr', direction: 'desc' } }))[0]).toBe('KÜCHEN Herbst');
  });

  it('sorts by campaign and client attributes', async () => {
    expect(await names({ sort: { column: 'name', direction: 'asc' } })).toEqual([
      'Idle 100%_test',
      'KÜCHEN Herbst',
      'Summer Boots',
      'Winter Jacket',
    ]);
    expect((await names({ sort: { column: 'client', direction: 'desc' } })).slice(0, 2).sort()).toEqual([
      'Idle 100%_test',
      'KÜCHEN Herbst',
    ]);
  });

  it('filters by client, platform and status', async () => {
    expect((await names({ clientIds: [clients.brenn!] })).sort()).toEqual(['Idle 100%_test', 'KÜCHEN Herbst']);
    expect((await names({ platforms: ['tiktok'] })).sort()).toEqual(['Idle 100%_test', 'Summer Boots']);
    expect(await names({ statuses: ['paused', 'draft'], platforms: ['google_ads'] })).toEqual(['Winter Jacket']);
    const filtered = await list({ clientIds: [clients.acme!], statuses: ['active'] });
    expect(filtered.total).toBe(1);
    expect(filtered.rows[0]?.totals.spendMicros).toBe(7_000_000);
  });

  it('searches campaign names case-insensitively, beyond ASCII, with LIKE wildcards taken literally', async () => {
    expect(await names({ search: 'küchen' })).toEqual(['KÜCHEN Herbst']);
    expect(await names({ search: 'BOOTS' })).toEqual(['Summer Boots']);
    expect(await names({ search: '100%_' })).toEqual(['Idle 100%_test']);
    expect(await names({ search: '%' })).toEqual(['Idle 100%_test']);
    expect(await list({ search: 'nothing like this' })).toEqual({ total: 0, rows: [] });
  });
  it('reflects new and restated metrics right after a write, and each period it is asked for', async () => {
    const before = (await list()).rows.find((r) => r.campaign.id === ids.idle);
    expect(before?.totals.spendMicros).toBe(0);
    const ad = cache.addAd(ids.idle!, 'tiktok');
    cache.metrics.ingest([cache.metric(ad, 'tiktok', '2025-02-20', { spendMicros: 500_000_000 })]);
    expect((await names())[0]).toBe('Idle 100%_test');
    cache.metrics.ingest([cache.metric(ad, 'tiktok', '2025-02-20', { spendMicros: 1 })]);
    expect((await list()).rows.find((r) => r.campaign.id === ids.idle)?.totals.spendMicros).toBe(1);
    const march = await list({ range: { from: '2025-03-01', to: '2025-03-31' } });
    expect(march.rows.find((r) => r.campaign.id === ids.boots)?.totals.spendMicros).toBe(103_000_000);
    expect((await list()).rows.find((r) => r.campaign.id === ids.boots)?.totals.spendMicros).toBe(7_000_000);
  });

  it('answers concurrent calls for different periods each with its own period', async () => {
    const [wide, narrow] = await Promise.all([list(), list({ range: { from: '2025-03-20', to: '2025-03-31' } })]);
    expect(wide.rows.find((r) => r.campaign.id === ids.boots)?.totals.spendMicros).toBe(7_000_000);
    expect(narrow.rows.find((r) => r.campaign.id === ids.boots)?.totals.spendMicros).toBe(99_000_000);
  });
});

describe('campaign detail', () => {
  it('returns the campaign, its client, deployments and ads with totals for the period', async () => {
    const detail = await campaignDetail(cache.handle.db, { campaignId: ids.boots!, range });
    expect(detail.client.name).toBe('Acme');
    expect(detail.deployments.map((d) => d.platform)).toEqual(['meta', 'tiktok']);
    expect(detail.ads.map((a) => [a.ad.platform, a.totals.spendMicros])).toEqual([
      ['meta', 3_000_000],
      ['tiktok', 4_000_000],
    ]);
    expect(detail.totals.spendMicros).toBe(7_000_000);
  });

  it('says when the campaign is gone', async () => {
    await expect(
      campaignDetail(cache.handle.db, { campaignId: '0190a6f6-7d1e-7000-8000-000000000000', range }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
