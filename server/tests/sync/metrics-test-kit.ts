import { afterAll, beforeAll, expect } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { metricRowsOf, type MetricRow } from '@kiki/shared/sync/metric-wire';
import {
  metricsIngestResponseSchema,
  metricsPullResponseSchema,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
  SYNC_SCHEMA_VERSION_HEADER,
  type MetricsPullResponse,
} from '@kiki/shared/sync/sync-protocol';
import type { MetricIngestRow } from '../../src/sync/metrics-ingest.service';
import { dayInTimeZone } from '@kiki/shared/dates';
import type { TestClient, TestUser } from '../helpers/factories';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { seedCampaign, type SeededCampaign } from '../helpers/world';

export const METRICS_TIMEZONE = 'Asia/Tokyo';
const HEADERS = { [SYNC_SCHEMA_VERSION_HEADER]: String(SYNC_PROTOCOL_VERSION) };

/** The agency the metrics tests share, made in `beforeAll`. */
export interface MetricsWorld {
  t: TestApp;
  orgId: string;
  clientA: TestClient;
  clientB: TestClient;
  /** Three ads of client A, one of client B. */
  adsA: SeededCampaign[];
  adB: SeededCampaign;
  manager: TestUser;
  operatorA: TestUser;
  analyst: TestUser;
  viewerB: TestUser;
  /** Today in METRICS_TIMEZONE, the clients' timezone. */
  today: string;
}

type PullBody = { deviceId: string; clientId: string; cursor: string | null; limit?: number };

/**
 * A test app with one agency (two clients, four roles) for a metrics test file, and the requests and rows those
 * files make. Call at the top of a describe: it registers the beforeAll that builds the world and the afterAll
 * that destroys the app; `world()` is valid inside tests.
 */
export function metricsTestKit() {
  let built: MetricsWorld | null = null;
  const world = (): MetricsWorld => {
    if (built === null) throw new Error('the metrics world is built in beforeAll');
    return built;
  };

  beforeAll(async () => {
    const t = await createTestApp();
    const orgId = (await t.createOrg()).id;
    const clientA = await t.createClient({ orgId, timezone: METRICS_TIMEZONE });
    const clientB = await t.createClient({ orgId, timezone: METRICS_TIMEZONE });
    const adsA: SeededCampaign[] = [];
    for (let i = 0; i < 3; i++) adsA.push(await seedCampaign(t.db, orgId, clientA.id, { days: [] }));
    built = {
      t,
      orgId,
      clientA,
      clientB,
      adsA,
      adB: await seedCampaign(t.db, orgId, clientB.id, { days: [] }),
      manager: await t.createUser({ orgId, role: 'manager', clientIds: null }),
      operatorA: await t.createUser({ orgId, role: 'operator', clientIds: [clientA.id] }),
      analyst: await t.createUser({ orgId, role: 'analyst', clientIds: null }),
      viewerB: await t.createUser({ orgId, role: 'client_viewer', clientIds: [clientB.id] }),
      today: dayInTimeZone(new Date(), METRICS_TIMEZONE),
    };
  });
  afterAll(async () => {
    await built?.t.destroy();
  });

  const deviceOf = async (user: TestUser) => {
    const id = newId();
    await world()
      .t.db.insertInto('sync_devices')
      .values({ id, org_id: user.orgId, user_id: user.id, name: 'test', last_mutation_id: 0 })
      .execute();
    return id;
  };
  const ingestRaw = async (user: TestUser, rows: MetricIngestRow[]) =>
    world().t.app.inject({
      method: 'POST',
      url: SYNC_PATHS.metricsIngest,
      headers: { ...(await world().t.authHeader(user)), ...HEADERS },
      payload: { rows },
    });
  const ingest = async (user: TestUser, rows: MetricIngestRow[]) => {
    const res = await ingestRaw(user, rows);
    expect(res.statusCode, res.body).toBe(200);
    return metricsIngestResponseSchema.parse(res.json());
  };
  const pullRaw = async (user: TestUser, body: PullBody) =>
    world().t.app.inject({
      method: 'POST',
      url: SYNC_PATHS.metricsPull,
      headers: { ...(await world().t.authHeader(user)), ...HEADERS },
      payload: body,
    });
  const pull = async (user: TestUser, body: PullBody) => {
    const res = await pullRaw(user, body);
    expect(res.statusCode, res.body).toBe(200);
    return metricsPullResponseSchema.parse(res.json());
  };
  /** An ingest row; `n` scales every number. */
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
  /** Row number `n` as a page carries it (`row` above scales its numbers differently). */
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
    await world()
      .t.db.insertInto('performance_metrics')
      .values(
        written.map(({ ad, m }) => ({
          org_id: world().orgId,
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
    const { t, orgId } = world();
    const client = await t.createClient({ orgId, timezone: METRICS_TIMEZONE });
    const ads: SeededCampaign[] = [];
    for (let i = 0; i < count; i++) ads.push(await seedCampaign(t.db, orgId, client.id, { days: [] }));
    return { client, ads: ads.sort((a, b) => (a.adId < b.adId ? -1 : 1)) };
  };
  /** Every page of a snapshot from `cursor: null` to the last. */
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
  const rowsOf = (page: MetricsPullResponse) => metricRowsOf(page.windowStart, page.ads);

  return {
    world,
    deviceOf,
    ingestRaw,
    ingest,
    pullRaw,
    pull,
    row,
    insertMetrics,
    clientWithAds,
    snapshot,
    rowsOf,
  };
}
