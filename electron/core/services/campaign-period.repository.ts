import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DateRange } from '@kiki/shared/dates';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { Database } from '../db/database.types';
import { splitByWholeMonths } from './calendar-days';

const METRIC_COLUMNS = sql`campaign_id, impressions, clicks, spend_micros, conversions, revenue_micros`;

/**
 * Per-campaign totals for a range as a SQL subquery: whole months come from the monthly rollup and only
 * the ragged edges from the daily one, so a two-year range reads ~24 rows per campaign, not ~730.
 */
export function periodTotals(range: DateRange): RawBuilder<unknown> {
  const parts = splitByWholeMonths(range);
  const sources: RawBuilder<unknown>[] = [];
  for (const days of [parts.head, parts.tail]) {
    if (days !== null) {
      sources.push(
        sql`SELECT ${METRIC_COLUMNS} FROM rollup_campaign_day WHERE date >= ${days.from} AND date <= ${days.to}`,
      );
    }
  }
  if (parts.months !== null) {
    sources.push(
      sql`SELECT ${METRIC_COLUMNS} FROM rollup_campaign_month
          WHERE month >= ${parts.months.from} AND month <= ${parts.months.to}`,
    );
  }
  return sql`SELECT campaign_id, SUM(impressions) AS impressions, SUM(clicks) AS clicks,
      SUM(spend_micros) AS spend, SUM(conversions) AS conversions, SUM(revenue_micros) AS revenue
    FROM (${sql.join(sources, sql` UNION ALL `)}) GROUP BY campaign_id`;
}

/** Bits of `platform_mask`: a platform filter becomes one AND per row instead of a subquery. */
export const PLATFORM_BITS: Readonly<Record<Platform, number>> = { meta: 1, google_ads: 2, tiktok: 4 };

interface BuiltPeriod {
  range: string;
  /** total_changes() right after the build: any later write on this connection changes it. */
  changes: number;
  /** PRAGMA data_version: changes when another connection (another process) commits. */
  dataVersion: number;
}

/** Which period each database's temp table holds. Keyed by the root Kysely instance. */
const builtPeriods = new WeakMap<Kysely<Database>, BuiltPeriod>();

/**
 * Makes `temp.campaign_period` hold every campaign with its sort keys and its totals for `range`.
 * Operators re-sort and re-filter the same period far more often than they change it, so a sort or
 * filter change then scans one narrow table instead of re-aggregating the rollups; any write to the
 * cache, by this connection or another, invalidates it. Run it inside the transaction that reads the
 * table so a concurrent call for another period cannot swap it underneath.
 */
export async function ensureCampaignPeriod(
  root: Kysely<Database>,
  trx: Transaction<Database>,
  range: DateRange,
): Promise<void> {
  const key = `${range.from}..${range.to}`;
  const readVersion = async () => {
    const result = await sql<{ changes: number; data_version: number }>`
      SELECT total_changes() AS changes, data_version FROM pragma_data_version()`.execute(trx);
    const row = result.rows[0];
    return { changes: row?.changes ?? -1, dataVersion: row?.data_version ?? -1 };
  };
  const built = builtPeriods.get(root);
  const now = await readVersion();
  if (built?.range === key && built.changes === now.changes && built.dataVersion === now.dataVersion) return;

  await sql`DROP TABLE IF EXISTS temp.campaign_period`.execute(trx);
  await sql`CREATE TEMP TABLE campaign_period (
      id TEXT PRIMARY KEY,
      client_id TEXT NOT NULL,
      search_name TEXT NOT NULL,
      client_sort TEXT NOT NULL,
      currency TEXT NOT NULL,
      status TEXT NOT NULL,
      budget_micros INTEGER NOT NULL,
      start_date TEXT NOT NULL,
      platform_mask INTEGER NOT NULL,
      impressions INTEGER NOT NULL,
      clicks INTEGER NOT NULL,
      spend INTEGER NOT NULL,
      conversions INTEGER NOT NULL,
      revenue INTEGER NOT NULL
    ) WITHOUT ROWID`.execute(trx);
  await sql`INSERT INTO temp.campaign_period
    SELECT c.id, c.client_id, c.search_name, lower(cl.name), cl.currency, c.status, c.budget_micros, c.start_date,
      (SELECT COALESCE(SUM(CASE p.platform
          WHEN 'meta' THEN ${PLATFORM_BITS.meta} WHEN 'google_ads' THEN ${PLATFORM_BITS.google_ads}
          WHEN 'tiktok' THEN ${PLATFORM_BITS.tiktok} ELSE 0 END), 0)
        FROM campaign_platforms p WHERE p.campaign_id = c.id),
      COALESCE(t.impressions, 0), COALESCE(t.clicks, 0), COALESCE(t.spend, 0), COALESCE(t.conversions, 0),
      COALESCE(t.revenue, 0)
    FROM campaigns c
    JOIN clients cl ON cl.id = c.client_id
    LEFT JOIN (${periodTotals(range)}) t ON t.campaign_id = c.id`.execute(trx);
  builtPeriods.set(root, { range: key, ...(await readVersion()) });
}
