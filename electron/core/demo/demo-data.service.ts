import { AppError } from '@kiki/shared/errors';
import type { AppDatabase } from '../db/open-database';
import { createCatalogWriter } from '../services/catalog-write.repository';
import { createMetricsIngest } from '../services/metrics-ingest.repository';
import { dayInTimeZone } from '../services/calendar-days';
import { clientProfile, createDemoClient, type DemoClient, type DemoShape } from './demo-catalog';
import { generateClientMetrics } from './demo-metrics';
import { seedRevenue, seedTeam, seedWorkflows } from './demo-operations';
import { createSeededRandom } from './seeded-random';

export const DEFAULT_DEMO_SHAPE: DemoShape = {
  clients: 3,
  campaignsPerClient: 13,
  adsPerCampaign: 15,
  alwaysOnShare: 0.6,
  flightDays: [30, 240],
};

const HISTORY_DAYS = 730;

export interface DemoOptions {
  /** "Now": each client's history ends on this instant's date in the client's timezone. */
  now: Date;
  seed?: number;
  /** Approximate number of metric rows; more clients are added to reach it. Default: the demo agency. */
  scale?: number;
  /** Build a wide catalogue of about this many short-lived campaigns (one ad each) instead. */
  campaigns?: number;
  /** An explicit shape (small ones keep tests fast); wins over scale and campaigns. */
  shape?: DemoShape;
  batchSize?: number;
  onProgress?: (progress: { metricRows: number; clientsDone: number; clients: number }) => void;
}

export interface DemoSummary {
  organizationId: string;
  clients: number;
  campaigns: number;
  ads: number;
  metricRows: number;
}

/** Average metric rows one default-shaped client produces, used to turn --scale into a client count. */
function rowsPerDefaultClient(): number {
  const s = DEFAULT_DEMO_SHAPE;
  const meanFlight = (s.flightDays[0] + s.flightDays[1]) / 2;
  const daysPerAd = s.alwaysOnShare * HISTORY_DAYS + (1 - s.alwaysOnShare) * meanFlight * 0.9;
  return s.campaignsPerClient * s.adsPerCampaign * 0.95 * daysPerAd;
}

export function demoShapeFor(options: Pick<DemoOptions, 'scale' | 'campaigns'>): DemoShape {
  if (options.campaigns !== undefined) {
    const campaignsPerClient = 500;
    return {
      clients: Math.max(1, Math.ceil(options.campaigns / campaignsPerClient)),
      campaignsPerClient: Math.min(campaignsPerClient, options.campaigns),
      adsPerCampaign: 1,
      alwaysOnShare: 0,
      flightDays: [7, 45],
    };
  }
  if (options.scale === undefined) return DEFAULT_DEMO_SHAPE;
  return { ...DEFAULT_DEMO_SHAPE, clients: Math.max(1, Math.round(options.scale / rowsPerDefaultClient())) };
}

/**
 * Fills an empty cache with a realistic agency: clients in several currencies and timezones, campaigns,
 * ads on every platform, creatives, two years of daily metrics, revenue, LTV and workflow data.
 * Deterministic for a given seed and clock.
 */
export async function generateDemoData(handle: AppDatabase, options: DemoOptions): Promise<DemoSummary> {
  const existing = handle.sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM clients').get();
  if ((existing?.n ?? 0) > 0) {
    throw new AppError('CONFLICT', 'Demo data only goes into an empty cache; choose a new file or data folder.');
  }
  const random = createSeededRandom(options.seed ?? 1);
  const shape = options.shape ?? demoShapeFor(options);
  const nowMs = options.now.getTime();
  const writer = createCatalogWriter(handle.sqlite);
  const ingest = createMetricsIngest(handle.sqlite);
  const organizationId = random.uuid(nowMs);
  let metricRows = 0;

  const clients: DemoClient[] = [];
  handle.sqlite.transaction(() => {
    writer.insertOrganization({
      id: organizationId,
      name: 'Northwind Media',
      createdAt: new Date(nowMs - HISTORY_DAYS * 86_400_000).toISOString(),
    });
    for (let i = 0; i < shape.clients; i += 1) {
      const today = dayInTimeZone(options.now, clientProfile(i).timezone);
      const ctx = { random, writer, organizationId, nowMs, historyDays: HISTORY_DAYS };
      clients.push(createDemoClient(ctx, shape, i, today, i === 0));
    }
  })();

  const ops = { db: handle.db, random, organizationId, nowMs };
  for (const client of clients) {
    const totals = generateClientMetrics(client, random, ingest, HISTORY_DAYS, options.batchSize ?? 50_000, (n) => {
      metricRows += n;
      options.onProgress?.({ metricRows, clientsDone: client.index, clients: clients.length });
    });
    await seedRevenue(ops, client, totals);
  }
  const users = await seedTeam(ops, clients);
  await seedWorkflows(ops, clients, users);
  options.onProgress?.({ metricRows, clientsDone: clients.length, clients: clients.length });

  return {
    organizationId,
    clients: clients.length,
    campaigns: clients.reduce((n, c) => n + c.campaigns.length, 0),
    ads: clients.reduce((n, c) => n + c.campaigns.reduce((m, k) => m + k.ads.length, 0), 0),
    metricRows,
  };
}
