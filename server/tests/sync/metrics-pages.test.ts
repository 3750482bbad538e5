import { describe, expect, it } from 'vitest';
import { daysInRange } from '@kiki/shared/dates';
import {
  METRIC_WIRE_MAX_DAY,
  metricsPullResponseSchema,
  SYNC_PATHS,
  SYNC_SCHEMA_VERSION_HEADER,
  type MetricsPullResponse,
} from '@kiki/shared/sync/sync-protocol';
import { metricsWindow } from '../../src/sync/metrics-window';
import { addDays } from '@kiki/shared/dates';
import { errorCodeOf } from '../helpers/test-app';
import type { SeededCampaign } from '../helpers/world';
import { metricsTestKit } from './metrics-test-kit';

/**
 * The metrics page format of sync protocol 2: rows grouped per (ad, platform), column by column, with day numbers
 * after windowStart (docs/sync-protocol.md "Page format"). The pull's paging rules are in metrics.test.ts.
 */
describe('sync metrics pages (protocol 2)', () => {
  const { world, deviceOf, ingest, pullRaw, pull, row, insertMetrics, clientWithAds, snapshot, rowsOf } =
    metricsTestKit();

  it('sends every page as JSON that metricsPullResponseSchema accepts unchanged, in every phase', async () => {
    const { manager, today } = world();
    // The route sends the text PostgreSQL built without encoding it through the schema: this is its only check.
    const { client, ads } = await clientWithAds(2);
    const { windowStart, recentStart } = metricsWindow(today);
    await insertMetrics(
      ads.flatMap((ad, i) =>
        [windowStart, addDays(recentStart, -3), addDays(recentStart, -1), recentStart, today].map((date, j) => ({
          ad,
          date,
          n: 10 * i + j + 1,
        })),
      ),
    );
    const deviceId = await deviceOf(manager);
    const bodies: unknown[] = [];
    const pullJson = async (cursor: string | null) => {
      const res = await pullRaw(manager, { deviceId, clientId: client.id, cursor, limit: 3 });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const json: unknown = JSON.parse(res.body);
      bodies.push(json);
      return json as MetricsPullResponse;
    };
    let page = await pullJson(null);
    while (page.hasMore) page = await pullJson(page.cursor);
    await ingest(manager, [row(ads[0] as SeededCampaign, today, 5), row(ads[1] as SeededCampaign, recentStart, 6)]);
    await pullJson(page.cursor);

    for (const json of bodies) {
      const parsed = metricsPullResponseSchema.safeParse(json);
      expect(parsed.error).toBeUndefined();
      // Nothing stripped: no key the schema does not know (such as protocol 1's `rows`).
      expect(parsed.data).toEqual(json);
    }
    const pages = bodies as MetricsPullResponse[];
    expect(new Set(pages.map((p) => p.phase))).toEqual(new Set(['recent', 'history', 'delta']));
    expect(pages.some((p) => p.ads.length === 2)).toBe(true);
    expect(pages.at(-1)?.ads.map(([adId, platform]) => [adId, platform])).toEqual([
      [ads[0]?.adId, 'meta'],
      [ads[1]?.adId, 'meta'],
    ]);
  });

  it('splits an ad across two pages when a page ends inside its days, losing and repeating no row', async () => {
    const { manager, today } = world();
    const { client, ads } = await clientWithAds(2);
    const [a1, a2] = ads as [SeededCampaign, SeededCampaign];
    const { windowStart, recentStart } = metricsWindow(today);
    const dates = [0, 3, 6, 9, 12].map((i) => addDays(recentStart, i));
    const rows = await insertMetrics(ads.flatMap((ad, i) => dates.map((date, j) => ({ ad, date, n: 100 * i + j }))));
    const days = dates.map((date) => daysInRange(windowStart, date) - 1);

    const pages = await snapshot(manager, await deviceOf(manager), client.id, 3);
    expect(pages.map((p) => [p.phase, p.ads.map(([adId, , adDays]) => [adId, adDays])])).toEqual([
      ['recent', [[a1.adId, days.slice(0, 3)]]],
      [
        'recent',
        [
          [a1.adId, days.slice(3)],
          [a2.adId, days.slice(0, 1)],
        ],
      ],
      ['recent', [[a2.adId, days.slice(1, 4)]]],
      ['recent', [[a2.adId, days.slice(4)]]],
      ['history', []],
    ]);
    expect(pages.flatMap(rowsOf)).toEqual(rows);
    expect(pages.map((p) => p.progress.done)).toEqual([3, 6, 9, 10, 10]);
  });

  it('leaves out a row dated past the days a page can number, instead of sending a page the device refuses', async () => {
    const { manager, today } = world();
    const { client, ads } = await clientWithAds(1);
    const { windowStart } = metricsWindow(today);
    const ad = ads[0] as SeededCampaign;
    // Only a direct database write can do this (ingest stops at tomorrow).
    const rows = await insertMetrics([
      { ad, date: today, n: 1 },
      { ad, date: addDays(windowStart, METRIC_WIRE_MAX_DAY + 1), n: 2 },
    ]);
    const pages = await snapshot(manager, await deviceOf(manager), client.id);
    for (const page of pages) expect(metricsPullResponseSchema.safeParse(page).success).toBe(true);
    expect(pages.flatMap(rowsOf)).toEqual(rows.slice(0, 1));
  });

  it('numbers days from windowStart, so an ad with gaps in its dates gets the same dates back', async () => {
    const { manager, today } = world();
    const { client, ads } = await clientWithAds(1);
    const { windowStart, recentStart } = metricsWindow(today);
    const dates = [windowStart, addDays(windowStart, 1), addDays(windowStart, 5), addDays(recentStart, -1), today];
    const rows = await insertMetrics(dates.map((date, n) => ({ ad: ads[0] as SeededCampaign, date, n: n + 1 })));

    const [recent, history, ...rest] = await snapshot(manager, await deviceOf(manager), client.id);
    expect(rest).toEqual([]);
    expect(recent?.ads.map(([, , days]) => days)).toEqual([[daysInRange(windowStart, today) - 1]]);
    expect(history?.ads.map(([, , days]) => days)).toEqual([[0, 1, 5, daysInRange(windowStart, recentStart) - 2]]);
    expect([recent, history].flatMap((p) => (p === undefined ? [] : rowsOf(p)))).toEqual([
      rows[4],
      ...rows.slice(0, 4),
    ]);
  });

  it('groups a delta page per ad across change_seqs, and a full page resumes after its last row', async () => {
    const { manager, today } = world();
    const { client, ads } = await clientWithAds(3);
    const [e1, e2, e3] = ads as [SeededCampaign, SeededCampaign, SeededCampaign];
    const deviceId = await deviceOf(manager);
    let cursor = (await snapshot(manager, deviceId, client.id)).at(-1)?.cursor ?? null;
    const day = (n: number) => addDays(today, -n);
    // Two ingests, so two change_seqs; in page order (change_seq, ad, date) a limit of 3 stops inside the first.
    // e3's older day is written last, so the second page's last row is not its greatest (ad, date).
    await ingest(manager, [row(e1, day(3), 1), row(e1, day(2), 2), row(e2, day(5), 3), row(e3, day(1), 4)]);
    await ingest(manager, [row(e3, day(5), 5), row(e1, day(9), 6)]);

    const pages: MetricsPullResponse[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await pull(manager, { deviceId, clientId: client.id, cursor, limit: 3 });
      pages.push(page);
      cursor = page.cursor;
      if (!page.hasMore) break;
    }
    const { windowStart } = metricsWindow(today);
    const dayOf = (n: number) => daysInRange(windowStart, day(n)) - 1;
    // The first page stops inside the first ingest; the second holds the rest of it and the whole second
    // ingest, one group per ad holding each of its days once, whichever ingest wrote them (a delta page's days
    // come in change order, which the protocol allows).
    const ascending = (days: number[]) => [...days].sort((a, b) => a - b);
    expect(pages.map((p) => [p.phase, p.hasMore, p.ads.map(([adId, , days]) => [adId, ascending(days)])])).toEqual([
      [
        'delta',
        true,
        [
          [e1.adId, [dayOf(3), dayOf(2)]],
          [e2.adId, [dayOf(5)]],
        ],
      ],
      [
        'delta',
        true,
        [
          [e1.adId, [dayOf(9)]],
          [e3.adId, ascending([dayOf(5), dayOf(1)])],
        ],
      ],
      ['delta', false, []],
    ]);
    const byAdAndDate = (rows: (string | number)[][]) =>
      rows.sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    const impressionsOf = (p: MetricsPullResponse) =>
      byAdAndDate(rowsOf(p).map((r) => [r.adId, r.date, r.impressions]));
    expect(impressionsOf(pages[0] as MetricsPullResponse)).toEqual(
      byAdAndDate([
        [e1.adId, day(3), 1000],
        [e1.adId, day(2), 2000],
        [e2.adId, day(5), 3000],
      ]),
    );
    expect(impressionsOf(pages[1] as MetricsPullResponse)).toEqual(
      byAdAndDate([
        [e1.adId, day(9), 6000],
        [e3.adId, day(5), 5000],
        [e3.adId, day(1), 4000],
      ]),
    );
  });

  it('answers a protocol 1 device (which reads one tuple per row) with 426 UPDATE_REQUIRED, not a page', async () => {
    const { t, manager } = world();
    const deviceId = await deviceOf(manager);
    const res = await t.app.inject({
      method: 'POST',
      url: SYNC_PATHS.metricsPull,
      headers: { ...(await t.authHeader(manager)), [SYNC_SCHEMA_VERSION_HEADER]: '1' },
      payload: { deviceId, clientId: world().clientA.id, cursor: null },
    });
    expect(res.statusCode).toBe(426);
    expect(errorCodeOf(res)).toBe('UPDATE_REQUIRED');
    expect(res.json()).not.toHaveProperty('ads');
  });
});
