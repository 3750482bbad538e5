import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import { groupMetricRows } from '@kiki/shared/sync/metric-wire';
import type { MetricsPullResponse } from '@kiki/shared/sync/sync-protocol';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { createMetricsIngest } from '../services/metrics-ingest.repository';
import { createMetricsApplier, type MetricsApplier } from './metrics-apply';
import { applyPullPage } from './pull-apply';
import {
  count,
  emptyChanges,
  expectRollupsExact,
  pullPage,
  rollupSnapshot,
  serverAd,
  serverCampaign,
  serverClient,
  serverDeployment,
  signIn,
  type ServerAd,
} from './sync-test-helpers';

const NOW = new Date('2026-03-01T10:00:00.000Z');

interface Catalog {
  clientId: string;
  otherClientId: string;
  ads: ServerAd[];
}

/** Two clients in one currency (so shared rollups are exercised); the first has 2 campaigns and 3 ads. */
function catalogPage() {
  const client = serverClient({ name: 'Acme' });
  const other = serverClient({ name: 'Other' });
  const c1 = serverCampaign(client.id, { platforms: ['meta', 'google_ads'] });
  const c2 = serverCampaign(client.id, { platforms: ['meta'] });
  const c3 = serverCampaign(other.id);
  const d1 = serverDeployment(c1.id, 'meta');
  const d2 = serverDeployment(c1.id, 'google_ads');
  const d3 = serverDeployment(c2.id, 'meta');
  const d4 = serverDeployment(c3.id, 'meta');
  const ads = [serverAd(d1), serverAd(d2), serverAd(d3), serverAd(d4)];
  const page = pullPage({
    changes: {
      ...emptyChanges(),
      clients: [client, other],
      campaigns: [c1, c2, c3],
      deployments: [d1, d2, d3, d4],
      ads,
    },
  });
  return { page, catalog: { clientId: client.id, otherClientId: other.id, ads } satisfies Catalog };
}

async function openWith(page: ReturnType<typeof catalogPage>['page']): Promise<AppDatabase> {
  const handle = await openDatabase({ filename: ':memory:' });
  signIn(handle.sqlite);
  applyPullPage(handle.sqlite, page, NOW);
  return handle;
}

/** A row as the tests write it: [adId, platform, date, campaignId, impressions, clicks, spend, conversions, revenue]. */
type MetricWireRow = [string, Platform, string, string, number, number, number, number, number];

function wire(ad: ServerAd, date: string, seed: number): MetricWireRow {
  return [ad.id, ad.platform, date, ad.campaignId, 100 + seed, 10 + (seed % 7), 1_000 * seed, seed % 3, 2_500 * seed];
}

const byKey = (a: MetricWireRow, b: MetricWireRow) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;

/** A page of `rows` in key order, grouped per ad as the server sends them. */
function metricsPage(rows: MetricWireRow[], overrides: Partial<MetricsPullResponse> = {}): MetricsPullResponse {
  const windowStart = overrides.windowStart ?? '2024-02-01';
  const flat = [...rows]
    .sort(byKey)
    .map(([adId, platform, date, , impressions, clicks, spendMicros, conversions, revenueMicros]) => ({
      adId,
      platform,
      date,
      impressions,
      clicks,
      spendMicros,
      conversions,
      revenueMicros,
    }));
  return {
    cursor: newId(),
    hasMore: true,
    phase: 'recent',
    windowStart,
    ads: groupMetricRows(windowStart, flat),
    progress: { done: rows.length, total: 1000 },
    resetRequired: false,
    ...overrides,
  };
}

let handle: AppDatabase;
let catalog: Catalog;
let applier: MetricsApplier;

beforeEach(async () => {
  const built = catalogPage();
  catalog = built.catalog;
  handle = await openWith(built.page);
  applier = createMetricsApplier(handle.sqlite);
});
afterEach(async () => {
  await handle.close();
});

const adAt = (i: number) => catalog.ads[i] as ServerAd;
const ad1 = () => adAt(0);
const ad2 = () => adAt(1);
const ad3 = () => adAt(2);
const otherAd = () => adAt(3);

describe('metric snapshots', () => {
  it('stream raw rows page by page and build rollups equal to a GROUP BY when each phase finishes', () => {
    const recent = [wire(ad1(), '2026-02-20', 1), wire(ad2(), '2026-02-20', 2), wire(ad3(), '2026-02-21', 3)];
    const history = [wire(ad1(), '2025-06-01', 4), wire(ad1(), '2025-06-30', 5), wire(ad3(), '2025-07-01', 6)];
    createMetricsIngest(handle.sqlite).ingest([
      {
        adId: otherAd().id,
        platform: 'meta',
        date: '2026-02-20',
        impressions: 1,
        clicks: 1,
        spendMicros: 7,
        conversions: 0,
        revenueMicros: 9,
      },
    ]);

    applier.applySnapshotPage(
      catalog.clientId,
      metricsPage(recent, { phase: 'recent', progress: { done: 3, total: 6 } }),
    );
    expect(count(handle.sqlite, 'rollup_campaign_day')).toBe(1); // only the other client's, until the phase ends
    expect(applier.getCursor(catalog.clientId)).toMatchObject({ phase: 'recent', done: 3, total: 6 });
    applier.finishSnapshotPhase(catalog.clientId, 'recent');
    expectRollupsExact(handle.sqlite);

    applier.applySnapshotPage(
      catalog.clientId,
      metricsPage(history.slice(0, 2), { phase: 'history', progress: { done: 5, total: 6 } }),
    );
    applier.applySnapshotPage(
      catalog.clientId,
      metricsPage(history.slice(2), { phase: 'history', hasMore: false, progress: { done: 6, total: 6 } }),
    );
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    expectRollupsExact(handle.sqlite);
    expect(count(handle.sqlite, 'metrics_daily')).toBe(7);
    expect(applier.getCursor(catalog.clientId)).toMatchObject({ phase: 'delta', done: 6, total: 6 });
  });

  it('skip and count rows of ads the device does not have, instead of failing the page', () => {
    const unknown: MetricWireRow = [newId(), 'meta', '2026-02-20', newId(), 1, 1, 1, 1, 1];
    const result = applier.applySnapshotPage(catalog.clientId, metricsPage([wire(ad1(), '2026-02-20', 1), unknown]));
    expect(result).toEqual({ applied: 1, skippedUnknownAds: 1 });
    const delta = applier.applyDeltaPage(catalog.clientId, metricsPage([unknown], { phase: 'delta' }));
    expect(delta).toEqual({ applied: 0, skippedUnknownAds: 1 });
  });

  it('start over cleanly: a snapshot restarted from a null cursor leaves no stale rows', () => {
    applier.applySnapshotPage(
      catalog.clientId,
      metricsPage([wire(ad1(), '2026-02-20', 1), wire(ad2(), '2026-02-21', 2)]),
    );
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    applier.saveCursor(catalog.clientId, { cursor: null, phase: null, done: 0, total: 0 });
    applier.applySnapshotPage(catalog.clientId, metricsPage([wire(ad1(), '2026-02-20', 9)], { hasMore: false }));
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    expect(count(handle.sqlite, 'metrics_daily')).toBe(1);
    expectRollupsExact(handle.sqlite);
  });

  it('build the rollups on the first delta when the core stopped before finishing the snapshot', () => {
    applier.applySnapshotPage(
      catalog.clientId,
      metricsPage([wire(ad1(), '2026-02-20', 1)], { phase: 'history', hasMore: false }),
    );
    // No finishSnapshotPhase: the process died here.
    applier.applyDeltaPage(catalog.clientId, metricsPage([wire(ad2(), '2026-02-22', 3)], { phase: 'delta' }));
    expectRollupsExact(handle.sqlite);
    expect(count(handle.sqlite, 'metrics_daily')).toBe(2);
  });
  it('rebuild from the raw rows when the running totals cannot be trusted (restart, rows removed mid-way)', () => {
    const rows = [wire(ad1(), '2026-02-20', 1), wire(ad2(), '2026-02-20', 2), wire(ad3(), '2026-02-21', 3)];
    applier.applySnapshotPage(catalog.clientId, metricsPage(rows, { phase: 'recent' }));
    // A pull page deletes an ad (and its metrics) while the snapshot runs.
    applyPullPage(handle.sqlite, pullPage({ tombstones: [{ entity: 'ad', id: ad2().id }] }), NOW);
    applier.finishSnapshotPhase(catalog.clientId, 'recent');
    expectRollupsExact(handle.sqlite);

    // The core restarts: a new applier finishes a snapshot whose earlier pages it never saw.
    applier.applySnapshotPage(catalog.clientId, metricsPage([wire(ad1(), '2025-06-01', 4)], { phase: 'history' }));
    const restarted = createMetricsApplier(handle.sqlite);
    restarted.applySnapshotPage(
      catalog.clientId,
      metricsPage([wire(ad3(), '2025-06-02', 5)], { phase: 'history', hasMore: false }),
    );
    restarted.finishSnapshotPhase(catalog.clientId, 'history');
    expect(count(handle.sqlite, 'metrics_daily')).toBe(4);
    expectRollupsExact(handle.sqlite);
  });
  it('read the raw rows back at a phase end only when something else wrote to the cache during the snapshot', () => {
    // Counts the checksum scans (the only COUNT(*) over metrics_daily the applier prepares).
    let scans = 0;
    const counting = new Proxy(handle.sqlite, {
      get(target, property, receiver) {
        if (property !== 'prepare') return Reflect.get(target, property, receiver) as unknown;
        return (source: string) => {
          const statement = target.prepare(source);
          if (!source.includes('SELECT COUNT(*)')) return statement;
          const raw = statement.raw.bind(statement);
          return Object.assign(statement, {
            raw: (toggle?: boolean) => {
              scans += 1;
              return toggle === undefined ? raw() : raw(toggle);
            },
          });
        };
      },
    });
    const watched = createMetricsApplier(counting);
    watched.applySnapshotPage(catalog.clientId, metricsPage([wire(ad1(), '2026-02-20', 1)]));
    watched.applySnapshotPage(catalog.clientId, metricsPage([wire(ad2(), '2026-02-21', 2)], { phase: 'history' }));
    watched.finishSnapshotPhase(catalog.clientId, 'recent');
    expect(scans).toBe(0);
    expectRollupsExact(handle.sqlite);

    // Another writer (here the ingest path) changes a row of this client between two pages: the totals are
    // checked against the raw rows, found wrong, and the rollups rebuilt from the rows.
    createMetricsIngest(handle.sqlite).ingest([
      {
        adId: ad1().id,
        platform: ad1().platform,
        date: '2026-02-20',
        impressions: 9,
        clicks: 9,
        spendMicros: 9,
        conversions: 9,
        revenueMicros: 9,
      },
    ]);
    watched.applySnapshotPage(
      catalog.clientId,
      metricsPage([wire(ad3(), '2025-07-01', 3)], { phase: 'history', hasMore: false }),
    );
    watched.finishSnapshotPhase(catalog.clientId, 'history');
    expect(scans).toBe(1);
    expectRollupsExact(handle.sqlite);
  });

  it('leave nothing of a failed page, foreign keys on, and checkpoints back to normal after the snapshot', () => {
    const autocheckpoint = () => handle.sqlite.pragma('wal_autocheckpoint', { simple: true });
    const normal = autocheckpoint();
    applier.applySnapshotPage(catalog.clientId, metricsPage([wire(ad1(), '2026-02-20', 1)]));
    expect(autocheckpoint()).toBeGreaterThan(normal as number);
    handle.sqlite.exec(`CREATE TEMP TRIGGER fail_day BEFORE INSERT ON metrics_daily
      WHEN NEW.date = '2026-02-22' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const failing = metricsPage([wire(ad2(), '2026-02-21', 2), wire(ad2(), '2026-02-22', 3)]);
    expect(() => applier.applySnapshotPage(catalog.clientId, failing)).toThrow(/disk full/);
    expect(handle.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(count(handle.sqlite, 'metrics_daily')).toBe(1);
    handle.sqlite.exec('DROP TRIGGER temp.fail_day');
    applier.applySnapshotPage(catalog.clientId, metricsPage([wire(ad3(), '2026-02-23', 4)], { hasMore: false }));
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    expect(autocheckpoint()).toBe(normal);
    expect(count(handle.sqlite, 'metrics_daily')).toBe(2);
    expectRollupsExact(handle.sqlite);
  });
});

describe('metric deltas and the window', () => {
  it('restate days exactly through the ingest path', () => {
    applier.applySnapshotPage(
      catalog.clientId,
      metricsPage([wire(ad1(), '2026-02-20', 1), wire(ad2(), '2026-02-20', 2)]),
    );
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    const result = applier.applyDeltaPage(
      catalog.clientId,
      metricsPage([wire(ad1(), '2026-02-20', 50), wire(ad3(), '2026-02-25', 4)], { phase: 'delta' }),
    );
    expect(result).toEqual({ applied: 2, skippedUnknownAds: 0 });
    expectRollupsExact(handle.sqlite);
    const spend = handle.sqlite
      .prepare("SELECT spend_micros FROM metrics_daily WHERE ad_id = ? AND date = '2026-02-20'")
      .pluck()
      .get(ad1().id);
    expect(spend).toBe(50_000);
  });

  it('write an ad with more days than one statement holds, and a page applied twice, without a row lost or doubled', () => {
    // 450 days of one ad: two full statements and a short one; the second ad takes a statement of another size.
    const first = Date.parse('2024-03-01T00:00:00Z');
    const day = (i: number) => new Date(first + i * 86_400_000).toISOString().slice(0, 10);
    const rows = [
      ...Array.from({ length: 450 }, (_, i) => wire(ad1(), day(i), i + 1)),
      ...Array.from({ length: 37 }, (_, i) => wire(ad2(), day(i * 3), i + 7)),
    ];
    const page = metricsPage(rows, { phase: 'history' });
    expect(applier.applySnapshotPage(catalog.clientId, page)).toEqual({ applied: 487, skippedUnknownAds: 0 });
    // The same page again (a retried request): rows already there are updated in place, not duplicated.
    const again = applier.applySnapshotPage(catalog.clientId, { ...page, hasMore: false });
    expect(again.skippedUnknownAds).toBe(0);
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    expect(count(handle.sqlite, 'metrics_daily')).toBe(487);
    const stored = handle.sqlite
      .prepare(
        'SELECT ad_id, platform, date, campaign_id, impressions, clicks, spend_micros, conversions, revenue_micros FROM metrics_daily ORDER BY ad_id, platform, date',
      )
      .raw()
      .all();
    expect(stored).toEqual([...rows].sort(byKey));
    expectRollupsExact(handle.sqlite);
  });

  it('trim rows before the window, including inside a month, with every rollup exact', () => {
    const rows = ['2024-01-15', '2024-01-31', '2024-02-01', '2024-02-10', '2024-03-01'].map((d, i) =>
      wire(ad1(), d, i + 1),
    );
    applier.applySnapshotPage(catalog.clientId, metricsPage(rows, { windowStart: '2024-01-01' }));
    applier.finishSnapshotPhase(catalog.clientId, 'history');
    expect(applier.trimWindow(catalog.clientId, '2024-02-05')).toBe(3);
    expectRollupsExact(handle.sqlite);
    // A delta page that reports a later window trims by itself.
    applier.applyDeltaPage(catalog.clientId, metricsPage([], { phase: 'delta', windowStart: '2024-02-20' }));
    expect(handle.sqlite.prepare('SELECT date FROM metrics_daily').pluck().all()).toEqual(['2024-03-01']);
    expectRollupsExact(handle.sqlite);
  });

  it('match the ingest path for any split of rows into snapshot pages and deltas (property)', async () => {
    const dates = ['2025-12-30', '2025-12-31', '2026-01-01', '2026-01-02', '2026-02-01'];
    const keyArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(...dates));
    const valuesArb = fc.tuple(fc.nat(1000), fc.nat(100), fc.nat(10_000_000), fc.nat(20), fc.nat(50_000_000));
    const rowArb = fc.tuple(keyArb, valuesArb);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(rowArb, { selector: ([k]) => `${k[0]}|${k[1]}`, minLength: 1, maxLength: 20 }),
        fc.array(rowArb, { maxLength: 15 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        async (snapshot, deltas, snapshotPageSize, deltaPageSize) => {
          const built = catalogPage();
          const viaIngest = await openWith(built.page);
          const viaSync = await openWith(built.page);
          try {
            const toWire = ([[adIndex, date], v]: (typeof snapshot)[number]): MetricWireRow => {
              const ad = built.catalog.ads[adIndex] as ServerAd;
              return [ad.id, ad.platform, date, ad.campaignId, ...v];
            };
            // Each client's rows go to that client's stream, as the server sends them.
            const clientOf = (row: MetricWireRow) =>
              row[0] === built.catalog.ads[3]?.id ? built.catalog.otherClientId : built.catalog.clientId;
            const ingest = createMetricsIngest(viaIngest.sqlite);
            const sync = createMetricsApplier(viaSync.sqlite);
            const snapRows = snapshot.map(toWire);
            const deltaRows = deltas.map(toWire);
            for (const row of [...snapRows, ...deltaRows]) {
              ingest.ingest([
                {
                  adId: row[0],
                  platform: row[1],
                  date: row[2],
                  impressions: row[4],
                  clicks: row[5],
                  spendMicros: row[6],
                  conversions: row[7],
                  revenueMicros: row[8],
                },
              ]);
            }
            for (const clientId of [built.catalog.clientId, built.catalog.otherClientId]) {
              const mine = snapRows.filter((r) => clientOf(r) === clientId).sort(byKey);
              for (let i = 0; i < mine.length; i += snapshotPageSize) {
                sync.applySnapshotPage(
                  clientId,
                  metricsPage(mine.slice(i, i + snapshotPageSize), { phase: 'history' }),
                );
              }
              sync.finishSnapshotPhase(clientId, 'history');
              const changes = deltaRows.filter((r) => clientOf(r) === clientId);
              for (let i = 0; i < changes.length; i += deltaPageSize) {
                // A delta page carries each key once, with its latest value.
                const page = new Map(changes.slice(i, i + deltaPageSize).map((r) => [`${r[0]}|${r[2]}`, r]));
                sync.applyDeltaPage(clientId, metricsPage([...page.values()], { phase: 'delta' }));
              }
            }
            expect(rollupSnapshot(viaSync.sqlite)).toEqual(rollupSnapshot(viaIngest.sqlite));
            const raw = 'SELECT * FROM metrics_daily ORDER BY ad_id, platform, date';
            expect(viaSync.sqlite.prepare(raw).raw().all()).toEqual(viaIngest.sqlite.prepare(raw).raw().all());
            expectRollupsExact(viaSync.sqlite);
          } finally {
            await viaIngest.close();
            await viaSync.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});
