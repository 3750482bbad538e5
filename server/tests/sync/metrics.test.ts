import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysInRange } from '@kiki/shared/dates';
import { newId } from '@kiki/shared/ids';
import { metricRowsOf, type MetricRow } from '@kiki/shared/sync/metric-wire';
import {
  metricsIngestResponseSchema,
  METRIC_WIRE_MAX_DAY,
  metricsPullResponseSchema,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
  type MetricsPullResponse,
} from '@kiki/shared/sync/sync-protocol';
import type { MetricIngestRow } from '../../src/sync/metrics-ingest.service';
import { pullMetricsPage } from '../../src/sync/metrics-pull.service';
import { addDays, metricsWindow, todayIn } from '../../src/sync/metrics-window';
import type { TestClient, TestUser } from '../helpers/factories';
import { createTestApp, errorCodeOf, type TestApp } from '../helpers/test-app';
import { seedCampaign, type SeededCampaign } from '../helpers/world';

const HEADERS = { [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION) };
const TIMEZONE = 'Asia/Tokyo';

describe('sync metrics ingest and pull', () => {
  let t: TestApp;
  let orgId: string;
  let clientA: TestClient;
  let clientB: TestClient;
  let adsA: SeededCampaign[];
  let adB: SeededCampaign;
  let manager: TestUser;
  let operatorA: TestUser;
  let analyst: TestUser;
  let viewerB: TestUser;
  let today: string;

  const deviceOf = async (user: TestUser) => {
    const id = newId();
    await t.db
      .insertInto('sync_devices')
      .values({ id, org_id: user.orgId, user_id: user.id, name: 'test', last_mutation_id: 0 })
      .execute();
    return id;
  };
  const ingestRaw = async (user: TestUser, rows: MetricIngestRow[]) =>
    t.app.inject({
      method: 'POST',
      url: SYNC_PATHS.metricsIngest,
      headers: { ...(await t.authHeader(user)), ...HEADERS },
      payload: { rows },
    });
  const ingest = async (user: TestUser, rows: MetricIngestRow[]) => {
    const res = await ingestRaw(user, rows);
    expect(res.statusCode, res.body).toBe(200);
    return metricsIngestResponseSchema.parse(res.json());
  };
  const pullRaw = async (
    user: TestUser,
    body: { deviceId: string; clientId: string; cursor: string | null; limit?: number },
  ) =>
    t.app.inject({
      method: 'POST',
      url: SYNC_PATHS.metricsPull,
      headers: { ...(await t.authHeader(user)), ...HEADERS },
      payload: body,
    });
  const pull = async (
    user: TestUser,
    body: { deviceId: string; clientId: string; cursor: string | null; limit?: number },
  ) => {
    const res = await pullRaw(user, body);
    expect(res.statusCode, res.body).toBe(200);
    return metricsPullResponseSchema.parse(res.json());
  };
  const row = (ad: SeededCampaign, date: string, n: number): MetricIngestRow => ({
    adId: ad.adId,
    platform: 'meta',
    date,
    impressions: 1000 * n,
    clicks: 10 * n,
    spendMicros: 1_000_000 * n,
    conversions: n,
    revenueMicros: 3_000_000 * n,
  });
  const summaries = async (clientId: string) =>
    t.db
      .selectFrom('daily_revenue_summaries')
      .select(['date', 'impressions', 'clicks', 'spend_micros', 'conversions', 'revenue_micros'])
      .where('client_id', '=', clientId)
      .orderBy('date')
      .execute();
  /** What the rollup must say: recomputed from the raw rows. */
  const summariesFromRaw = async (clientId: string) =>
    (
      await sql<{
        date: string;
        impressions: number;
        clicks: number;
        spend_micros: number;
        conversions: number;
        revenue_micros: number;
      }>`
        select date, sum(impressions)::bigint as impressions, sum(clicks)::bigint as clicks,
               sum(spend_micros)::bigint as spend_micros, sum(conversions)::bigint as conversions,
               sum(revenue_micros)::bigint as revenue_micros
        from performance_metrics where client_id = ${clientId} group by date order by date`.execute(t.db)
    ).rows;
  const auditCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', orgId)
          .where('action', '=', 'metrics.ingested')
          .executeTakeFirstOrThrow()
      ).n,
    );
  const metricCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('performance_metrics')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await createTestApp();
    const org = await t.createOrg();
    orgId = org.id;
    clientA = await t.createClient({ orgId, timezone: TIMEZONE });
    clientB = await t.createClient({ orgId, timezone: TIMEZONE });
    adsA = [];
    for (let i = 0; i < 3; i++) adsA.push(await seedCampaign(t.db, orgId, clientA.id, { days: [] }));
    adB = await seedCampaign(t.db, orgId, clientB.id, { days: [] });
    manager = await t.createUser({ orgId, role: 'manager', clientIds: null });
    operatorA = await t.createUser({ orgId, role: 'operator', clientIds: [clientA.id] });
    analyst = await t.createUser({ orgId, role: 'analyst', clientIds: null });
    viewerB = await t.createUser({ orgId, role: 'client_viewer', clientIds: [clientB.id] });
    today = todayIn(TIMEZONE, new Date());
  });

  afterAll(async () => {
    await t.destroy();
  });

  describe('ingest', () => {
    it('upserts by natural key and keeps the daily rollup exact when a day is restated', async () => {
      const d1 = addDays(today, -3);
      const d2 = addDays(today, -2);
      const [ad1, ad2] = adsA as [SeededCampaign, SeededCampaign];
      const auditsBefore = await auditCount();
      const first = await ingest(operatorA, [row(ad1, d1, 1), row(ad1, d2, 2), row(ad2, d1, 3), row(ad2, d2, 4)]);
      expect(first.upserted).toBe(4);
      expect(await summaries(clientA.id)).toEqual(await summariesFromRaw(clientA.id));
      expect((await summaries(clientA.id)).find((s) => s.date === d1)?.spend_micros).toBe(4_000_000);

      // Restating d1 for ad1 (1 -> 5) replaces its numbers: the rollup moves by the difference, not the sum.
      const restated = await ingest(operatorA, [row(ad1, d1, 5), row(ad2, d1, 3)]);
      expect(restated.upserted).toBe(1);
      expect(restated.serverVersion).toBeGreaterThan(first.serverVersion);
      expect((await summaries(clientA.id)).find((s) => s.date === d1)).toMatchObject({
        impressions: 8000,
        clicks: 80,
        spend_micros: 8_000_000,
        conversions: 8,
        revenue_micros: 24_000_000,
      });
      expect(await summaries(clientA.id)).toEqual(await summariesFromRaw(clientA.id));
      expect(await auditCount()).toBe(auditsBefore + 2);
      const audit = await t.db
        .selectFrom('audit_log')
        .select(['data', 'actor_user_id'])
        .where('org_id', '=', orgId)
        .where('action', '=', 'metrics.ingested')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(audit.actor_user_id).toBe(operatorA.id);
      expect(audit.data).toMatchObject({ rows: 2, upserted: 1, clientIds: [clientA.id], from: d1, to: d1 });
    });

    it('refuses the whole call, writing nothing, when one row belongs to a client the user cannot load for', async () => {
      const before = { metrics: await metricCount(), audits: await auditCount() };
      const res = await ingestRaw(operatorA, [
        row(adsA[0] as SeededCampaign, addDays(today, -4), 1),
        row(adB, addDays(today, -4), 1),
      ]);
      expect(res.statusCode).toBe(403);
      expect(errorCodeOf(res)).toBe('FORBIDDEN');
      expect(await ingestRaw(analyst, [row(adB, today, 1)]).then((r) => r.statusCode)).toBe(403);
      const unknownAd = await ingestRaw(manager, [{ ...row(adB, today, 1), adId: newId() }]);
      expect(unknownAd.statusCode).toBe(404);
      const tooOld = await ingestRaw(manager, [row(adB, addDays(metricsWindow(today).windowStart, -1), 1)]);
      expect(tooOld.statusCode).toBe(400);
      const wrongPlatform = await ingestRaw(manager, [{ ...row(adB, today, 1), platform: 'tiktok' }]);
      expect(wrongPlatform.statusCode).toBe(400);
      const repeated = await ingestRaw(manager, [row(adB, today, 1), row(adB, today, 2)]);
      expect(repeated.statusCode).toBe(400);
      expect({ metrics: await metricCount(), audits: await auditCount() }).toEqual(before);
    });

    it('keeps the rollup exact when two ingests for the same days run at once', async () => {
      const [, , ad3] = adsA as [SeededCampaign, SeededCampaign, SeededCampaign];
      const days = [addDays(today, -10), addDays(today, -9), addDays(today, -8)];
      await Promise.all([
        ingest(
          operatorA,
          days.map((d, i) => row(adsA[0] as SeededCampaign, d, 10 + i)),
        ),
        ingest(
          manager,
          days.map((d, i) => row(ad3, d, 20 + i)),
        ),
        ingest(
          operatorA,
          days.map((d, i) => row(adsA[1] as SeededCampaign, d, 30 + i)),
        ),
      ]);
      const bySummary = (await summaries(clientA.id)).filter((s) => days.includes(s.date));
      expect(bySummary.map((s) => s.spend_micros)).toEqual([60_000_000, 63_000_000, 66_000_000]);
      expect(await summaries(clientA.id)).toEqual(await summariesFromRaw(clientA.id));
    });

    it('demands the schema version header', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: SYNC_PATHS.metricsIngest,
        headers: await t.authHeader(manager),
        payload: { rows: [row(adB, today, 1)] },
      });
      expect(res.statusCode).toBe(426);
    });
  });

  describe('pull', () => {
    let clientC: TestClient;
    let adsC: SeededCampaign[];
    let expected: Map<string, MetricRow>;
    let outside: Set<string>;
    const keyOf = (r: Pick<MetricRow, 'adId' | 'platform' | 'date'>) => `${r.adId}|${r.platform}|${r.date}`;
    const byKey = (a: MetricRow, b: MetricRow) => (keyOf(a) < keyOf(b) ? -1 : 1);
    const rowsOf = (page: MetricsPullResponse) => metricRowsOf(page.windowStart, page.ads);
    /** Row number `n` as a page carries it (the ingest tests' `row` scales its numbers differently). */
    const metricRow = (ad: SeededCampaign, date: string, n: number): MetricRow => ({
      adId: ad.adId,
      platform: 'meta',
      date,
      impressions: n,
      clicks: n,
      spendMicros: n * 10,
      conversions: n,
      revenueMicros: n * 20,
    });
    /** Rows written straight to the table (so dates outside the window too); returns them as a page carries them. */
    const insertMetrics = async (rows: readonly { ad: SeededCampaign; date: string; n: number }[]) => {
      const written = rows.map(({ ad, date, n }) => ({ ad, m: metricRow(ad, date, n) }));
      await t.db
        .insertInto('performance_metrics')
        .values(
          written.map(({ ad, m }) => ({
            org_id: orgId,
            platform: m.platform,
            ad_id: m.adId,
            date: m.date,
            client_id: ad.clientId,
            campaign_id: ad.id,
            impressions: m.impressions,
            clicks: m.clicks,
            spend_micros: m.spendMicros,
            conversions: m.conversions,
            revenue_micros: m.revenueMicros,
          })),
        )
        .execute();
      return written.map(({ m }) => m);
    };
    /** A client of its own with `count` ads, in the pages' (ad id) order. */
    const clientWithAds = async (count: number) => {
      const client = await t.createClient({ orgId, timezone: TIMEZONE });
      const ads: SeededCampaign[] = [];
      for (let i = 0; i < count; i++) ads.push(await seedCampaign(t.db, orgId, client.id, { days: [] }));
      return { client, ads: ads.sort((a, b) => (a.adId < b.adId ? -1 : 1)) };
    };

    beforeAll(async () => {
      // A client of its own so the ingest tests above do not change the counts.
      clientC = await t.createClient({ orgId, timezone: TIMEZONE });
      adsC = [];
      for (let i = 0; i < 3; i++) adsC.push(await seedCampaign(t.db, orgId, clientC.id, { days: [] }));
      const window = metricsWindow(today);
      // Days on both sides of each boundary, plus some well inside each phase.
      const dates = [
        addDays(window.windowStart, -40),
        addDays(window.windowStart, -1),
        window.windowStart,
        addDays(window.windowStart, 1),
        addDays(window.recentStart, -100),
        addDays(window.recentStart, -1),
        window.recentStart,
        addDays(window.recentStart, 1),
        addDays(today, -1),
        today,
      ];
      const seeded = [];
      let n = 1;
      for (const ad of adsC) {
        for (const date of dates) {
          n += 1;
          seeded.push({ ad, date, n });
        }
      }
      expected = new Map();
      outside = new Set();
      for (const r of await insertMetrics(seeded)) {
        if (r.date >= window.windowStart) expected.set(keyOf(r), r);
        else outside.add(keyOf(r));
      }
    });

    const snapshot = async (user: TestUser, deviceId: string, clientId: string, limit?: number) => {
      const pages: MetricsPullResponse[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 100; i++) {
        const page = await pull(user, { deviceId, clientId, cursor, ...(limit === undefined ? {} : { limit }) });
        pages.push(page);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      return pages;
    };

    it('sends every window row exactly once, recent days first, each phase in (ad, platform, date) order', async () => {
      const deviceId = await deviceOf(analyst);
      const pages = await snapshot(analyst, deviceId, clientC.id, 7);
      const window = metricsWindow(today);
      const sent = pages.flatMap((p) => rowsOf(p).map((r) => ({ phase: p.phase, row: r })));
      expect(sent.length).toBe(expected.size);
      expect(new Set(sent.map((s) => keyOf(s.row))).size).toBe(expected.size);
      for (const { row: r } of sent) expect(r).toEqual(expected.get(keyOf(r)));
      for (const { row: r } of sent) expect(outside.has(keyOf(r))).toBe(false);

      const phases = sent.map((s) => s.phase);
      const firstHistory = phases.indexOf('history');
      expect(firstHistory).toBeGreaterThan(0);
      expect(phases.slice(0, firstHistory).every((p) => p === 'recent')).toBe(true);
      expect(phases.slice(firstHistory).every((p) => p === 'history')).toBe(true);
      for (const { phase, row: r } of sent) {
        if (phase === 'recent') expect(r.date >= window.recentStart).toBe(true);
        else expect(r.date >= window.windowStart && r.date < window.recentStart).toBe(true);
      }
      for (const phase of ['recent', 'history'] as const) {
        const keys = sent.filter((s) => s.phase === phase).map((s) => keyOf(s.row));
        expect(keys).toEqual([...keys].sort());
      }
      const last = pages.at(-1) as MetricsPullResponse;
      expect(last.progress).toEqual({ done: expected.size, total: expected.size });
      expect(last.hasMore).toBe(false);
      expect(pages.every((p) => p.windowStart === window.windowStart && !p.resetRequired)).toBe(true);
    });

    it('after the snapshot, a delta returns only the rows an ingest really changed, even across pages', async () => {
      const deviceId = await deviceOf(manager);
      const pages = await snapshot(manager, deviceId, clientC.id, 50);
      let cursor = (pages.at(-1) as MetricsPullResponse).cursor;
      const quiet = await pull(manager, { deviceId, clientId: clientC.id, cursor });
      expect(quiet).toMatchObject({ phase: 'delta', ads: [], hasMore: false });

      const [c1, c2, c3] = adsC as [SeededCampaign, SeededCampaign, SeededCampaign];
      const resend: MetricIngestRow = { ...(expected.get(`${c1.adId}|meta|${today}`) as MetricRow) };
      const changed = [
        row(c1, addDays(today, -1), 77),
        row(c2, today, 78),
        row(c3, today, 79),
        row(c3, addDays(today, -5), 80),
      ];
      const result = await ingest(manager, [resend, ...changed]);
      expect(result.upserted).toBe(changed.length);

      const got: MetricRow[] = [];
      for (let i = 0; i < 10; i++) {
        const page = await pull(manager, { deviceId, clientId: clientC.id, cursor, limit: 3 });
        expect(page.phase).toBe('delta');
        got.push(...rowsOf(page));
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      expect(got.sort(byKey)).toEqual([...changed].sort(byKey));
      expect(got.find((r) => r.adId === c3.adId && r.date === today)?.impressions).toBe(79_000);
      const after = await pull(manager, { deviceId, clientId: clientC.id, cursor });
      expect(after.ads).toEqual([]);
    });

    it('sends every page as JSON that metricsPullResponseSchema accepts unchanged, in every phase', async () => {
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
      const deviceId = await deviceOf(manager);
      const res = await t.app.inject({
        method: 'POST',
        url: SYNC_PATHS.metricsPull,
        headers: { ...(await t.authHeader(manager)), [SYNC_SCHEMA_VERSION_HEADER]: '1' },
        payload: { deviceId, clientId: clientC.id, cursor: null },
      });
      expect(res.statusCode).toBe(426);
      expect(errorCodeOf(res)).toBe('UPDATE_REQUIRED');
      expect(res.json()).not.toHaveProperty('ads');
    });

    it('refuses a client the user cannot read and a device that is not theirs; an unregistered device is 404', async () => {
      const viewerDevice = await deviceOf(viewerB);
      const res = await pullRaw(viewerB, { deviceId: viewerDevice, clientId: clientC.id, cursor: null });
      expect(res.statusCode).toBe(403);
      expect(errorCodeOf(res)).toBe('FORBIDDEN');
      expect((await pullRaw(viewerB, { deviceId: viewerDevice, clientId: clientB.id, cursor: null })).statusCode).toBe(
        200,
      );
      const managerDevice = await deviceOf(manager);
      expect((await pullRaw(analyst, { deviceId: managerDevice, clientId: clientC.id, cursor: null })).statusCode).toBe(
        403,
      );
      // Only the foreign device is audited, not the unreadable client.
      const audits = await t.db
        .selectFrom('audit_log')
        .select(['org_id', 'actor_user_id', 'entity_id'])
        .where('action', '=', 'sync.device_rejected')
        .where('actor_user_id', 'in', [analyst.id, viewerB.id])
        .execute();
      expect(audits).toEqual([{ org_id: orgId, actor_user_id: analyst.id, entity_id: managerDevice }]);
    });

    it('rejects a cursor issued for another client', async () => {
      const deviceId = await deviceOf(manager);
      const first = await pull(manager, { deviceId, clientId: clientC.id, cursor: null, limit: 2 });
      const res = await pullRaw(manager, { deviceId, clientId: clientB.id, cursor: first.cursor });
      expect(res.statusCode).toBe(400);
    });

    it('asks for a reset when the day rolled over mid-snapshot, or the delta cursor is older than retention', async () => {
      const deviceId = await deviceOf(manager);
      const grants = [{ role: 'manager' as const, clientIds: null }];
      const base = { orgId, userId: manager.id, grants, deviceId, clientId: clientC.id, limit: 5 };
      const retainedFrom = async () =>
        Number(
          (
            await t.db
              .selectFrom('sync_versions')
              .select('retained_from')
              .where('org_id', '=', orgId)
              .executeTakeFirstOrThrow()
          ).retained_from,
        );
      const now = new Date();
      const first = await pullMetricsPage(t.db, { ...base, cursor: null, now }, retainedFrom);
      expect(first.meta.resetRequired).toBe(false);
      const sameDay = await pullMetricsPage(t.db, { ...base, cursor: first.meta.cursor, now }, retainedFrom);
      expect(sameDay.meta.resetRequired).toBe(false);
      const nextDay = new Date(now.getTime() + 86_400_000);
      const rolled = await pullMetricsPage(t.db, { ...base, cursor: first.meta.cursor, now: nextDay }, retainedFrom);
      expect(rolled).toMatchObject({ meta: { resetRequired: true }, rowCount: 0 });
      expect(rolled.meta.windowStart).toBe(metricsWindow(todayIn(TIMEZONE, nextDay)).windowStart);

      let cursor: string = first.meta.cursor;
      for (let i = 0; i < 100; i++) {
        const page = await pullMetricsPage(t.db, { ...base, cursor, now }, retainedFrom);
        cursor = page.meta.cursor;
        if (!page.meta.hasMore) break;
      }
      const delta = await pullMetricsPage(t.db, { ...base, cursor, now }, retainedFrom);
      expect(delta.meta).toMatchObject({ phase: 'delta', resetRequired: false });
      const version = await t.db
        .selectFrom('sync_versions')
        .select('version')
        .where('org_id', '=', orgId)
        .executeTakeFirstOrThrow();
      await t.db
        .updateTable('sync_versions')
        .set({ retained_from: Number(version.version) + 1 })
        .where('org_id', '=', orgId)
        .execute();
      try {
        const stale = await pullMetricsPage(t.db, { ...base, cursor, now }, retainedFrom);
        expect(stale.meta.resetRequired).toBe(true);
      } finally {
        await t.db.updateTable('sync_versions').set({ retained_from: 0 }).where('org_id', '=', orgId).execute();
      }
    });

    it("moves a quiet client's delta cursor up to the agency version, so retention does not reset it forever", async () => {
      const deviceId = await deviceOf(manager);
      const grants = [{ role: 'manager' as const, clientIds: null }];
      // A client with no metrics at all: its own max change_seq is 0 for ever.
      const quiet = await t.createClient({ orgId, timezone: TIMEZONE });
      const base = { orgId, userId: manager.id, grants, deviceId, clientId: quiet.id, limit: 5 };
      const agency = async () =>
        t.db
          .selectFrom('sync_versions')
          .select(['version', 'retained_from'])
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow();
      const retainedFrom = async () => Number((await agency()).retained_from);
      const now = new Date();
      // Other clients of the agency keep changing, which moves the agency version.
      await ingest(manager, [row(adsA[0] as SeededCampaign, today, 41)]);
      const snap = await pullMetricsPage(t.db, { ...base, cursor: null, now }, retainedFrom);
      expect(snap.meta).toMatchObject({ hasMore: false, resetRequired: false, phase: 'history' });
      const snapshotEnd = snap.meta.cursor;
      await ingest(manager, [row(adsA[0] as SeededCampaign, today, 42)]);
      const delta = await pullMetricsPage(t.db, { ...base, cursor: snapshotEnd, now }, retainedFrom);
      expect(delta.meta).toMatchObject({ phase: 'delta', resetRequired: false, hasMore: false });
      expect(delta.rowCount).toBe(0);
      // The prune deleted every change up to the current version.
      await t.db
        .updateTable('sync_versions')
        .set({ retained_from: Number((await agency()).version) })
        .where('org_id', '=', orgId)
        .execute();
      try {
        const again = await pullMetricsPage(t.db, { ...base, cursor: delta.meta.cursor, now }, retainedFrom);
        expect(again.meta).toMatchObject({ phase: 'delta', resetRequired: false });
        const later = await pullMetricsPage(t.db, { ...base, cursor: again.meta.cursor, now }, retainedFrom);
        expect(later.meta.resetRequired).toBe(false);
        // A cursor from before the pruned changes really is too old: it still resets.
        const stale = await pullMetricsPage(t.db, { ...base, cursor: snapshotEnd, now }, retainedFrom);
        expect(stale.meta.resetRequired).toBe(true);
      } finally {
        await t.db.updateTable('sync_versions').set({ retained_from: 0 }).where('org_id', '=', orgId).execute();
      }
    });
  });
});
