import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import type { MetricRow } from '@kiki/shared/sync/metric-wire';
import { SYNC_PATHS, type MetricsPullResponse } from '@kiki/shared/sync/sync-protocol';
import type { MetricIngestRow } from '../../src/sync/metrics-ingest.service';
import { pullMetricsPage } from '../../src/sync/metrics-pull.service';
import { metricsWindow } from '../../src/sync/metrics-window';
import { addDays, dayInTimeZone } from '@kiki/shared/dates';
import type { TestClient, TestUser } from '../helpers/factories';
import { errorCodeOf, type TestApp } from '../helpers/test-app';
import { seedCampaign, type SeededCampaign } from '../helpers/world';
import { METRICS_TIMEZONE, metricsTestKit } from './metrics-test-kit';

describe('sync metrics ingest and pull', () => {
  const kit = metricsTestKit();
  const { deviceOf, ingestRaw, ingest, pullRaw, pull, row, insertMetrics, snapshot, rowsOf } = kit;
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
  beforeAll(() => {
    ({ t, orgId, clientA, clientB, adsA, adB, manager, operatorA, analyst, viewerB, today } = kit.world());
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
    beforeAll(async () => {
      // A client of its own so the ingest tests above do not change the counts.
      clientC = await t.createClient({ orgId, timezone: METRICS_TIMEZONE });
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
      const now = new Date();
      const first = await pullMetricsPage(t.db, { ...base, cursor: null, now });
      expect(first.meta.resetRequired).toBe(false);
      const sameDay = await pullMetricsPage(t.db, { ...base, cursor: first.meta.cursor, now });
      expect(sameDay.meta.resetRequired).toBe(false);
      const nextDay = new Date(now.getTime() + 86_400_000);
      const rolled = await pullMetricsPage(t.db, { ...base, cursor: first.meta.cursor, now: nextDay });
      expect(rolled).toMatchObject({ meta: { resetRequired: true }, rowCount: 0 });
      expect(rolled.meta.windowStart).toBe(metricsWindow(dayInTimeZone(nextDay, METRICS_TIMEZONE)).windowStart);

      let cursor: string = first.meta.cursor;
      for (let i = 0; i < 100; i++) {
        const page = await pullMetricsPage(t.db, { ...base, cursor, now });
        cursor = page.meta.cursor;
        if (!page.meta.hasMore) break;
      }
      const delta = await pullMetricsPage(t.db, { ...base, cursor, now });
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
        const stale = await pullMetricsPage(t.db, { ...base, cursor, now });
        expect(stale.meta.resetRequired).toBe(true);
      } finally {
        await t.db.updateTable('sync_versions').set({ retained_from: 0 }).where('org_id', '=', orgId).execute();
      }
    });

    it("moves a quiet client's delta cursor up to the agency version, so retention does not reset it forever", async () => {
      const deviceId = await deviceOf(manager);
      const grants = [{ role: 'manager' as const, clientIds: null }];
      // A client with no metrics at all: its own max change_seq is 0 for ever.
      const quiet = await t.createClient({ orgId, timezone: METRICS_TIMEZONE });
      const base = { orgId, userId: manager.id, grants, deviceId, clientId: quiet.id, limit: 5 };
      const agency = async () =>
        t.db
          .selectFrom('sync_versions')
          .select(['version', 'retained_from'])
          .where('org_id', '=', orgId)
          .executeTakeFirstOrThrow();
      const now = new Date();
      // Other clients of the agency keep changing, which moves the agency version.
      await ingest(manager, [row(adsA[0] as SeededCampaign, today, 41)]);
      const snap = await pullMetricsPage(t.db, { ...base, cursor: null, now });
      expect(snap.meta).toMatchObject({ hasMore: false, resetRequired: false, phase: 'history' });
      const snapshotEnd = snap.meta.cursor;
      await ingest(manager, [row(adsA[0] as SeededCampaign, today, 42)]);
      const delta = await pullMetricsPage(t.db, { ...base, cursor: snapshotEnd, now });
      expect(delta.meta).toMatchObject({ phase: 'delta', resetRequired: false, hasMore: false });
      expect(delta.rowCount).toBe(0);
      // The prune deleted every change up to the current version.
      await t.db
        .updateTable('sync_versions')
        .set({ retained_from: Number((await agency()).version) })
        .where('org_id', '=', orgId)
        .execute();
      try {
        const again = await pullMetricsPage(t.db, { ...base, cursor: delta.meta.cursor, now });
        expect(again.meta).toMatchObject({ phase: 'delta', resetRequired: false });
        const later = await pullMetricsPage(t.db, { ...base, cursor: again.meta.cursor, now });
        expect(later.meta.resetRequired).toBe(false);
        // A cursor from before the pruned changes really is too old: it still resets.
        const stale = await pullMetricsPage(t.db, { ...base, cursor: snapshotEnd, now });
        expect(stale.meta.resetRequired).toBe(true);
      } finally {
        await t.db.updateTable('sync_versions').set({ retained_from: 0 }).where('org_id', '=', orgId).execute();
      }
    });
  });
});
