import { sql, type Kysely, type Selectable } from 'kysely';
import type { DateRange } from '@kiki/shared/dates';
import type { Ad, PlatformDeployment } from '@kiki/shared/domain/campaign.schema';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import type { DailyMetric } from '@kiki/shared/contract/rpc-contract';
import type { AdsTable, Database, PlatformDeploymentsTable } from '../db/database.types';

function toAd(row: Selectable<AdsTable>): Ad {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    deploymentId: row.deployment_id,
    platform: row.platform as Platform,
    name: row.name,
    status: row.status as Ad['status'],
    adCopyId: row.ad_copy_id,
    externalId: row.external_id,
  };
}

function toDeployment(row: Selectable<PlatformDeploymentsTable>): PlatformDeployment {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    platform: row.platform as Platform,
    externalId: row.external_id,
    status: row.status as PlatformDeployment['status'],
    lastError: row.last_error,
    deployedAt: row.deployed_at,
  };
}

export async function findAd(db: Kysely<Database>, adId: string): Promise<Ad | undefined> {
  const row = await db.selectFrom('ads').selectAll().where('id', '=', adId).executeTakeFirst();
  return row === undefined ? undefined : toAd(row);
}

export async function findDeployment(
  db: Kysely<Database>,
  deploymentId: string,
): Promise<PlatformDeployment | undefined> {
  const row = await db.selectFrom('platform_deployments').selectAll().where('id', '=', deploymentId).executeTakeFirst();
  return row === undefined ? undefined : toDeployment(row);
}

export async function listDeployments(db: Kysely<Database>, campaignId: string): Promise<PlatformDeployment[]> {
  const rows = await db
    .selectFrom('platform_deployments')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('platform')
    .execute();
  return rows.map(toDeployment);
}

/** A campaign's ads with their totals for the range, straight from the raw rows by primary key. */
export async function listAdsWithTotals(
  db: Kysely<Database>,
  campaignId: string,
  range: DateRange,
): Promise<{ ad: Ad; totals: MetricTotals }[]> {
  const rows = await db
    .selectFrom('ads as a')
    .leftJoin('metrics_daily as m', (join) =>
      join
        .onRef('m.ad_id', '=', 'a.id')
        .onRef('m.platform', '=', 'a.platform')
        .on('m.date', '>=', range.from)
        .on('m.date', '<=', range.to),
    )
    .selectAll('a')
    .select([
      sql<number>`COALESCE(SUM(m.impressions), 0)`.as('impressions'),
      sql<number>`COALESCE(SUM(m.clicks), 0)`.as('clicks'),
      sql<number>`COALESCE(SUM(m.spend_micros), 0)`.as('spend'),
      sql<number>`COALESCE(SUM(m.conversions), 0)`.as('conversions'),
      sql<number>`COALESCE(SUM(m.revenue_micros), 0)`.as('revenue'),
    ])
    .where('a.campaign_id', '=', campaignId)
    .groupBy('a.id')
    .orderBy('a.platform')
    .orderBy('a.name')
    .orderBy('a.id')
    .execute();
  return rows.map(({ impressions, clicks, spend, conversions, revenue, ...ad }) => ({
    ad: toAd(ad),
    totals: { impressions, clicks, spendMicros: spend, conversions, revenueMicros: revenue },
  }));
}

/** The ad's stored days in the range, oldest first; days without a row are simply absent. */
export async function listAdDailyMetrics(
  db: Kysely<Database>,
  ad: Pick<Ad, 'id' | 'platform'>,
  range: DateRange,
): Promise<DailyMetric[]> {
  const rows = await db
    .selectFrom('metrics_daily')
    .select(['date', 'impressions', 'clicks', 'spend_micros', 'conversions', 'revenue_micros'])
    .where('ad_id', '=', ad.id)
    .where('platform', '=', ad.platform)
    .where('date', '>=', range.from)
    .where('date', '<=', range.to)
    .orderBy('date')
    .execute();
  return rows.map((r) => ({
    date: r.date,
    impressions: r.impressions,
    clicks: r.clicks,
    spendMicros: r.spend_micros,
    conversions: r.conversions,
    revenueMicros: r.revenue_micros,
  }));
}
