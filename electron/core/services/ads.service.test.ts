import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adDetail } from './ads.service';
import { createTestCache, type TestCache } from './test-factories';

let cache: TestCache;
beforeEach(async () => {
  cache = await createTestCache();
});
afterEach(async () => {
  await cache.handle.close();
});

describe('ad detail', () => {
  it("returns the ad's days in the range, its totals, copy, creatives and assets", async () => {
    const client = cache.addClient();
    const campaign = cache.addCampaign(client);
    const copyId = '0190a6f6-7d1e-7000-8000-00000000c0a1';
    cache.catalog.insertAdCopy({
      id: copyId,
      campaignId: campaign,
      variantLabel: 'A',
      headline: 'Boots for every trail',
      primaryText: 'Built to last.',
      callToAction: 'Shop now',
      generatedBy: 'ai',
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const ad = cache.addAd(campaign, 'meta', { adCopyId: copyId });
    const other = cache.addAd(campaign, 'meta');
    cache.catalog.insertUserAsset({
      id: '0190a6f6-7d1e-7000-8000-0000000a55e7',
      clientId: client,
      fileName: 'boots.jpg',
      mimeType: 'image/jpeg',
      sizeBytes: 1234,
      sha256: 'a'.repeat(64),
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    cache.catalog.linkAdAsset(ad, '0190a6f6-7d1e-7000-8000-0000000a55e7');
    cache.metrics.ingest([
      cache.metric(ad, 'meta', '2025-03-01', { spendMicros: 1_000_000 }),
      cache.metric(ad, 'meta', '2025-03-03', { spendMicros: 3_000_000 }),
      cache.metric(ad, 'meta', '2025-03-09', { spendMicros: 9_000_000 }),
      cache.metric(other, 'meta', '2025-03-02', { spendMicros: 50_000_000 }),
    ]);

    const detail = await adDetail(cache.handle.db, { adId: ad, range: { from: '2025-03-01', to: '2025-03-05' } });
    expect(detail.daily.map((d) => [d.date, d.spendMicros])).toEqual([
      ['2025-03-01', 1_000_000],
      ['2025-03-03', 3_000_000],
    ]);
    expect(detail.totals).toEqual({
      impressions: 2000,
      clicks: 100,
      spendMicros: 4_000_000,
      conversions: 10,
      revenueMicros: 60_000_000,
    });
    expect(detail.copy?.headline).toBe('Boots for every trail');
    expect(detail.copies).toHaveLength(1);
    expect(detail.assets.map((a) => a.fileName)).toEqual(['boots.jpg']);
    expect(detail.deployment.platform).toBe('meta');
    expect(detail.campaign.id).toBe(campaign);
  });

  it('says when the ad is gone', async () => {
    await expect(
      adDetail(cache.handle.db, {
        adId: '0190a6f6-7d1e-7000-8000-000000000000',
        range: { from: '2025-03-01', to: '2025-03-05' },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
