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

export interface BucketRow {
  currency: string;
  bucket: string;
  spendMicros: number;
  revenueMicros: number;
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

/** Spend and revenue per currency and bucket (first day of the day, ISO week or month). */
export async function sumByBucket(
  db: Kysely<Database>,
  scope: DashboardScope,
  range: DateRange,
  granularity: Granularity,
): Promise<BucketRow[]> {
  const bucket = bucketExpression(granularity);
  const rows =
    scope.kind === 'client'
      ? await db
          .selectFrom('rollup_client_platform_day')
          .select([
            sql.val(scope.currency).as('currency'),
            bucket.as('bucket'),
            metricSums.spend.as('spend'),
            metricSums.revenue.as('revenue'),
          ])
          .where('client_id', '=', scope.clientId)
          .where('date', '>=', range.from)
          .where('date', '<=', range.to)
          .groupBy(sql`2`)
          .orderBy(sql`2`)
          .execute()
      : await db
          .selectFrom('rollup_currency_platform_day')
          .select(['currency', bucket.as('bucket'), metricSums.spend.as('spend'), metricSums.revenue.as('revenue')])
          .where('date', '>=', range.from)
          .where('date', '<=', range.to)
          .groupBy([sql`1`, sql`2`])
          .orderBy(sql`1`)
          .orderBy(sql`2`)
          .execute();
  return rows.map((r) => ({ currency: r.currency, bucket: r.bucket, spendMicros: r.spend, revenueMicros: r.revenue }));
}
