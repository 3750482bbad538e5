import type BetterSqlite3 from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import { platformSchema, type Platform } from '@kiki/shared/domain/platform.schema';

const PLATFORMS: ReadonlySet<string> = new Set(platformSchema.options);

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

function addInto(target: Delta, delta: Delta): void {
  target[0] += delta[0];
  target[1] += delta[1];
  target[2] += delta[2];
  target[3] += delta[3];
  target[4] += delta[4];
}

interface CampaignDelta {
  owner: AdOwner;
  platform: string;
  date: string;
  delta: Delta;
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
  const upsertCurrencyAllPlatformsDay = sqlite.prepare(rollupUpsertSql('rollup_currency_day', ['currency', 'date']));
  const upsertCampaignDay = sqlite.prepare(rollupUpsertSql('rollup_campaign_day', ['date', 'campaign_id']));
  const upsertCampaignMonth = sqlite.prepare(rollupUpsertSql('rollup_campaign_month', ['month', 'campaign_id']));

  const countInserted = sqlite.prepare(
    `INSERT INTO cache_counters (name, value) VALUES ('metric_rows', ?)
     ON CONFLICT DO UPDATE SET value = value + excluded.value`,
  );

  function resolveOwners(rows: readonly DailyMetricRow[]): Map<string, AdOwner> {
    const owners = new Map<string, AdOwner>();
    // A batch repeats the same few hundred dates; check each once.
    const validDates = new Set<string>();
    rows.forEach((row, index) => {
      const where = `Metric row ${index + 1} (ad ${row.adId}, ${row.date})`;
      if (!PLATFORMS.has(row.platform)) {
        throw new AppError('VALIDATION_FAILED', `${where}: unknown platform "${row.platform}".`);
      }
      if (!validDates.has(row.date)) {
        if (!isCalendarDate(row.date)) {
          throw new AppError('VALIDATION_FAILED', `${where}: date must be a real calendar day as YYYY-MM-DD.`);
        }
        validDates.add(row.date);
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
    // First fold rows into (campaign, platform, date) deltas, then fan those out to the rollups:
    // one map operation per row instead of four.
    const campaignDeltas = new Map<string, CampaignDelta>();
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
        if (delta[0] === 0 && delta[1] === 0 && delta[2] === 0 && delta[3] === 0 && delta[4] === 0) {
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
      const key = `${owner.campaign_id}|${row.platform}|${row.date}`;
      const entry = campaignDeltas.get(key);
      if (entry === undefined) campaignDeltas.set(key, { owner, platform: row.platform, date: row.date, delta });
      else addInto(entry.delta, delta);
    }

    const clientDay = new Map<string, { keys: [string, string, string]; delta: Delta }>();
    const currencyDay = new Map<string, { keys: [string, string, string]; delta: Delta }>();
    const currencyAllPlatformsDay = new Map<string, { keys: [string, string]; delta: Delta }>();
    const campaignDay = new Map<string, { keys: [string, string]; delta: Delta }>();
    const campaignMonth = new Map<string, { keys: [string, string]; delta: Delta }>();
    const fold = <K extends string[]>(map: Map<string, { keys: K; delta: Delta }>, keys: K, delta: Delta) => {
      const id = keys.join('|');
      const entry = map.get(id);
      if (entry === undefined) map.set(id, { keys, delta: [...delta] });
      else addInto(entry.delta, delta);
    };
    for (const { owner, platform, date, delta } of campaignDeltas.values()) {
      fold(clientDay, [owner.client_id, date, platform], delta);
      fold(currencyDay, [owner.currency, date, platform], delta);
      fold(currencyAllPlatformsDay, [owner.currency, date], delta);
      fold(campaignDay, [date, owner.campaign_id], delta);
      fold(campaignMonth, [`${date.slice(0, 8)}01`, owner.campaign_id], delta);
    }
    for (const { keys, delta } of clientDay.values()) upsertClientDay.run(...keys, ...delta);
    for (const { keys, delta } of currencyDay.values()) upsertCurrencyDay.run(...keys, ...delta);
    for (const { keys, delta } of currencyAllPlatformsDay.values())
      upsertCurrencyAllPlatformsDay.run(...keys, ...delta);
    for (const { keys, delta } of campaignDay.values()) upsertCampaignDay.run(...keys, ...delta);
    for (const { keys, delta } of campaignMonth.values()) upsertCampaignMonth.run(...keys, ...delta);
    if (result.inserted > 0) countInserted.run(result.inserted);
    return result;
  });

  return {
    ingest(rows) {
      if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
      const owners = resolveOwners(rows);
      // Platform reports come day by day across all ads; writing them in primary-key order turns
      // scattered b-tree inserts into runs. The sort is stable, so a key repeated in one batch still
      // ends with its last value.
      const ordered = [...rows].sort((a, b) =>
        a.adId < b.adId ? -1 : a.adId > b.adId ? 1 : a.date < b.date ? -1 : a.date > b.date ? 1 : 0,
      );
      return writeBatch(ordered, owners);
    },
  };
}
