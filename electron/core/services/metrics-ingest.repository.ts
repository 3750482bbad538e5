import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import { platformSchema, type Platform } from '@kiki/shared/domain/platform.schema';

/** One day of one ad on one platform, as a connector or the demo generator reports it. */
export interface DailyMetricRow {
  adId: string;
  platform: Platform;
  /** YYYY-MM-DD in the client's timezone. */
  date: string;
  impressions: number;
  clicks: number;
  spendMicros: number;
  conversions: number;
  revenueMicros: number;
}

export interface IngestResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface MetricsIngest {
  /**
   * Upserts rows by their natural key (platform, ad, date) in one transaction and keeps every rollup
   * exact: a restated day subtracts what it replaced. Invalid input throws before anything is written.
   */
  ingest(rows: readonly DailyMetricRow[]): IngestResult;
}

interface AdOwner {
  campaign_id: string;
  client_id: string;
  currency: string;
  platform: string;
}

interface StoredMetric {
  impressions: number;
  clicks: number;
  spend_micros: number;
  conversions: number;
  revenue_micros: number;
}

type Delta = [impressions: number, clicks: number, spend: number, conversions: number, revenue: number];

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const METRIC_FIELDS = ['impressions', 'clicks', 'spendMicros', 'conversions', 'revenueMicros'] as const;

function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  // Rejects 2025-02-30 and friends, which the pattern lets through.
  return new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

const rollupUpsertSql = (table: string, keys: readonly string[]) =>
  `INSERT INTO ${table} (${keys.join(', ')}, impressions, clicks, spend_micros, conversions, revenue_micros)
   VALUES (${keys.map(() => '?').join(', ')}, ?, ?, ?, ?, ?)
   ON CONFLICT DO UPDATE SET
     impressions = impressions + excluded.impressions,
     clicks = clicks + excluded.clicks,
     spend_micros = spend_micros + excluded.spend_micros,
     conversions = conversions + excluded.conversions,
     revenue_micros = revenue_micros + excluded.revenue_micros`;

function addDelta(map: Map<string, Delta>, key: string, delta: Delta): void {
  const current = map.get(key);
  if (current === undefined) {
    map.set(key, [...delta]);
    return;
  }
  for (let i = 0; i < 5; i += 1) current[i] = (current[i] ?? 0) + (delta[i] ?? 0);
}

/**
 * The hot write path for metrics: raw prepared statements, one transaction per call, rollup deltas
 * summed in memory so each touched rollup row is written once per call.
 */
export function createMetricsIngest(sqlite: BetterSqlite3.Database): MetricsIngest {
  const selectAdOwner = sqlite.prepare<[string], AdOwner>(
    `SELECT a.campaign_id, c.client_id, cl.currency, a.platform
       FROM ads a JOIN campaigns c ON c.id = a.campaign_id JOIN clients cl ON cl.id = c.client_id
      WHERE a.id = ?`,
  );
  const insertNew = sqlite.prepare(
    `INSERT INTO metrics_daily (ad_id, platform, date, client_id, campaign_id, impressions, clicks, spend_micros,
       conversions, revenue_micros)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const selectExisting = sqlite.prepare<[string, string, string], StoredMetric>(
    `SELECT impressions, clicks, spend_micros, conversions, revenue_micros
       FROM metrics_daily WHERE ad_id = ? AND platform = ? AND date = ?`,
  );
  const updateExisting = sqlite.prepare(
    `UPDATE metrics_daily SET impressions = ?, clicks = ?, spend_micros = ?, conversions = ?, revenue_micros = ?
      WHERE ad_id = ? AND platform = ? AND date = ?`,
  );
  const upsertClientDay = sqlite.prepare(
    rollupUpsertSql('rollup_client_platform_day', ['client_id', 'date', 'platform']),
  );
  const upsertCurrencyDay = sqlite.prepare(
    rollupUpsertSql('rollup_currency_platform_day', ['currency', 'date', 'platform']),
  );
  const upsertCampaignDay = sqlite.prepare(rollupUpsertSql('rollup_campaign_day', ['date', 'campaign_id']));
  const upsertCampaignMonth = sqlite.prepare(rollupUpsertSql('rollup_campaign_month', ['month', 'campaign_id']));

  function resolveOwners(rows: readonly DailyMetricRow[]): Map<string, AdOwner> {
    const owners = new Map<string, AdOwner>();
    rows.forEach((row, index) => {
      const where = `Metric row ${index + 1} (ad ${row.adId}, ${row.date})`;
      if (!platformSchema.safeParse(row.platform).success) {
        throw new AppError('VALIDATION_FAILED', `${where}: unknown platform "${row.platform}".`);
      }
      if (!isCalendarDate(row.date)) {
        throw new AppError('VALIDATION_FAILED', `${where}: date must be a real calendar day as YYYY-MM-DD.`);
      }
      for (const field of METRIC_FIELDS) {
        const value = row[field];
        if (!Number.isSafeInteger(value) || value < 0) {
          throw new AppError('VALIDATION_FAILED', `${where}: ${field} must be a non-negative integer, got ${value}.`);
        }
      }
      let owner = owners.get(row.adId);
      if (owner === undefined) {
        owner = selectAdOwner.get(row.adId);
        if (owner === undefined) {
          throw new AppError('NOT_FOUND', `${where}: the ad is not in the local cache; sync or import the ad first.`);
        }
        owners.set(row.adId, owner);
      }
      if (owner.platform !== row.platform) {
        throw new AppError(
          'VALIDATION_FAILED',
          `${where}: the ad runs on ${owner.platform}, not ${row.platform}; check the connector's ad mapping.`,
        );
      }
    });
    return owners;
  }

  const writeBatch = sqlite.transaction((rows: readonly DailyMetricRow[], owners: Map<string, AdOwner>) => {
    const result: IngestResult = { inserted: 0, updated: 0, unchanged: 0 };
    const clientDay = new Map<string, Delta>();
    const currencyDay = new Map<string, Delta>();
    const campaignDay = new Map<string, Delta>();
    const campaignMonth = new Map<string, Delta>();
    for (const row of rows) {
      const owner = owners.get(row.adId) as AdOwner;
      let delta: Delta;
      // Insert first: a fresh import never pays for a lookup; only restated days read the old values.
      const inserted = insertNew.run(
        row.adId,
        row.platform,
        row.date,
        owner.client_id,
        owner.campaign_id,
        row.impressions,
        row.clicks,
        row.spendMicros,
        row.conversions,
        row.revenueMicros,
      );
      if (inserted.changes === 1) {
        result.inserted += 1;
        delta = [row.impressions, row.clicks, row.spendMicros, row.conversions, row.revenueMicros];
      } else {
        const old = selectExisting.get(row.adId, row.platform, row.date) as StoredMetric;
        delta = [
          row.impressions - old.impressions,
          row.clicks - old.clicks,
          row.spendMicros - old.spend_micros,
          row.conversions - old.conversions,
          row.revenueMicros - old.revenue_micros,
        ];
        if (delta.every((d) => d === 0)) {
          result.unchanged += 1;
          continue;
        }
        updateExisting.run(
          row.impressions,
          row.clicks,
          row.spendMicros,
          row.conversions,
          row.revenueMicros,
          row.adId,
          row.platform,
          row.date,
        );
        result.updated += 1;
      }
      addDelta(clientDay, `${owner.client_id}|${row.date}|${row.platform}`, delta);
      addDelta(currencyDay, `${owner.currency}|${row.date}|${row.platform}`, delta);
      addDelta(campaignDay, `${row.date}|${owner.campaign_id}`, delta);
      addDelta(campaignMonth, `${row.date.slice(0, 8)}01|${owner.campaign_id}`, delta);
    }
    for (const [key, d] of clientDay) upsertClientDay.run(...key.split('|'), ...d);
    for (const [key, d] of currencyDay) upsertCurrencyDay.run(...key.split('|'), ...d);
    for (const [key, d] of campaignDay) upsertCampaignDay.run(...key.split('|'), ...d);
    for (const [key, d] of campaignMonth) upsertCampaignMonth.run(...key.split('|'), ...d);
    return result;
  });

  return {
    ingest(rows) {
      if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
      return writeBatch(rows, resolveOwners(rows));
    },
  };
}
