import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DateRange } from '@kiki/shared/dates';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import type { Granularity } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';

/** Either one client (whose currency is known) or every client, which reads the per-currency rollup. */
export type DashboardScope = { kind: 'client'; clientId: string; currency: string } | { kind: 'all' };

export interface PlatformTotalsRow {
  currency: string;
  platform: Platform;
  totals: MetricTotals;
}

const metricSums = {
  impressions: sql<number>`SUM(impressions)`,
  clicks: sql<number>`SUM(clicks)`,
  spend: sql<number>`SUM(spend_micros)`,
  conversions: sql<number>`SUM(conversions)`,
  revenue: sql<number>`SUM(revenue_micros)`,
};

function bucketExpression(granularity: Granularity): RawBuilder<string> {
  switch (granularity) {
    case 'day':
      return sql<string>`date`;
    case 'week':
      // SQLite's %w counts from Sunday = 0; ISO weeks start on Monday.
      return sql<string>`date(date, '-' || ((CAST(strftime('%w', date) AS INTEGER) + 6) % 7) || ' days')`;
    case 'month':
      return sql<string>`substr(date, 1, 8) || '01'`;
  }
}

/** Totals per currency and platform, read from the day rollups (never the raw metrics). */
export async function sumByPlatform(
  db: Kysely<Database>,
  scope: DashboardScope,
  range: DateRange,
): Promise<PlatformTotalsRow[]> {
  const rows =
    scope.kind === 'client'
      ? await db
          .selectFrom('rollup_client_platform_day')
          .select([sql.val(scope.currency).as('currency'), 'platform', ...aliased()])
          .where('client_id', '=', scope.clientId)
          .where('date', '>=', range.from)
          .where('date', '<=', range.to)
          .groupBy('platform')
          .execute()
      : await db
          .selectFrom('rollup_currency_platform_day')
          .select(['currency', 'platform', ...aliased()])
          .where('date', '>=', range.from)
          .where('date', '<=', range.to)
          .groupBy(['currency', 'platform'])
          .execute();
  return rows.map((r) => ({
    currency: r.currency,
    platform: r.platform as Platform,
    totals: {
      impressions: r.impressions,
      clicks: r.clicks,
      spendMicros: r.spend,
      conversions: r.conversions,
      revenueMicros: r.revenue,
    },
  }));
}

function aliased() {
  return [
    metricSums.impressions.as('impressions'),
    metricSums.clicks.as('clicks'),
    metricSums.spend.as('spend'),
    metricSums.conversions.as('conversions'),
    metricSums.revenue.as('revenue'),
  ] as const;
}

/** Points of one currency's series, ordered by bucket: [bucket start, spend micros, revenue micros]. */
export type BucketPoint = [bucket: string, spendMicros: number, revenueMicros: number];

/**
 * Spend and revenue per currency and bucket (first day of the day, ISO week or month), ordered by
 * bucket. All clients read the per-currency day rollup; each currency's points come back as one JSON
 * array, several times cheaper than thousands of row objects for a two-year daily series.
 */
export async function sumByBucket(
  db: Kysely<Database>,
  scope: DashboardScope,
  range: DateRange,
  granularity: Granularity,
): Promise<Map<string, BucketPoint[]>> {
  const bucket = bucketExpression(granularity);
  const grouped =
    scope.kind === 'client'
      ? sql`SELECT ${scope.currency} AS currency, ${bucket} AS bucket, SUM(spend_micros) AS spend,
            SUM(revenue_micros) AS revenue
          FROM rollup_client_platform_day
          WHERE client_id = ${scope.clientId} AND date >= ${range.from} AND date <= ${range.to}
          GROUP BY bucket`
      : granularity === 'day'
        ? // Already one row per currency and day: nothing to aggregate.
          sql`SELECT currency, date AS bucket, spend_micros AS spend, revenue_micros AS revenue
          FROM rollup_currency_day WHERE date >= ${range.from} AND date <= ${range.to}`
        : sql`SELECT currency, ${bucket} AS bucket, SUM(spend_micros) AS spend, SUM(revenue_micros) AS revenue
          FROM rollup_currency_day
          WHERE date >= ${range.from} AND date <= ${range.to}
          GROUP BY currency, bucket`;
  const result = await sql<{ currency: string; points: string }>`
    SELECT currency, json_group_array(json_array(bucket, spend, revenue) ORDER BY bucket) AS points
    FROM (${grouped}) GROUP BY currency`.execute(db);
  return new Map(result.rows.map((r) => [r.currency, JSON.parse(r.points) as BucketPoint[]]));
}
