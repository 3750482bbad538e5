import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DateRange } from '@kiki/shared/dates';
import type { Campaign, CampaignStatus } from '@kiki/shared/domain/campaign.schema';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import type { CampaignSortColumn } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';
import { ensureCampaignPeriod, PLATFORM_BITS } from './campaign-period.repository';

export interface CampaignListQuery {
  range: DateRange;
  clientIds: string[];
  platforms: Platform[];
  statuses: CampaignStatus[];
  search: string;
  sort: { column: CampaignSortColumn; direction: 'asc' | 'desc' };
  offset: number;
  limit: number;
}

export interface CampaignListPage {
  total: number;
  rows: { campaign: Campaign; clientName: string; totals: MetricTotals }[];
}

export interface CampaignRow {
  id: string;
  client_id: string;
  name: string;
  objective: string;
  status: string;
  budget_type: string;
  budget_micros: number;
  start_date: string;
  end_date: string | null;
  updated_at: string;
  currency: string;
}

interface PageRow {
  id: string;
  impressions: number;
  clicks: number;
  spend: number;
  conversions: number;
  revenue: number;
}

/** Sort keys over temp.campaign_period (see campaign-period.repository.ts). */
function sortExpression(column: CampaignSortColumn): RawBuilder<unknown> {
  switch (column) {
    case 'name':
      return sql`c.search_name`;
    case 'client':
      return sql`c.client_sort`;
    case 'status':
      return sql`c.status`;
    case 'budget':
      return sql`c.budget_micros`;
    case 'startDate':
      return sql`c.start_date`;
    case 'impressions':
      return sql`c.impressions`;
    case 'clicks':
      return sql`c.clicks`;
    case 'spend':
      return sql`c.spend`;
    case 'conversions':
      return sql`c.conversions`;
    case 'revenue':
      return sql`c.revenue`;
    // Ratios divide by NULL when undefined, so "no spend" sorts last in either direction.
    case 'roas':
      return sql`CAST(c.revenue AS REAL) / NULLIF(c.spend, 0)`;
    case 'ctr':
      return sql`CAST(c.clicks AS REAL) / NULLIF(c.impressions, 0)`;
    case 'cpa':
      return sql`CAST(c.spend AS REAL) / NULLIF(c.conversions, 0)`;
  }
}

/**
 * Amounts are in each client's own currency and there is no exchange rate to convert them, so money sorts group
 * by currency first: yen never outrank dollars just by being yen.
 */
const MONEY_COLUMNS: ReadonlySet<CampaignSortColumn> = new Set(['budget', 'spend', 'revenue', 'cpa']);

function orderBy(column: CampaignSortColumn, direction: RawBuilder<unknown>): RawBuilder<unknown> {
  const key = sql`${sortExpression(column)} ${direction} NULLS LAST`;
  return MONEY_COLUMNS.has(column) ? sql`c.currency, ${key}, c.id` : sql`${key}, c.id`;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** One page of campaigns with their period KPIs; filtering, sorting and paging all happen in SQL. */
export async function listCampaignPage(db: Kysely<Database>, query: CampaignListQuery): Promise<CampaignListPage> {
  const conditions: RawBuilder<unknown>[] = [];
  if (query.clientIds.length > 0) conditions.push(sql`c.client_id IN (${sql.join(query.clientIds)})`);
  if (query.statuses.length > 0) conditions.push(sql`c.status IN (${sql.join(query.statuses)})`);
  if (query.platforms.length > 0) {
    const mask = query.platforms.reduce((bits, platform) => bits | PLATFORM_BITS[platform], 0);
    conditions.push(sql`(c.platform_mask & ${mask}) != 0`);
  }
  const search = query.search.trim().toLocaleLowerCase();
  if (search !== '') conditions.push(sql`c.search_name LIKE ${`%${escapeLike(search)}%`} ESCAPE '\\'`);
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const direction = query.sort.direction === 'asc' ? sql`ASC` : sql`DESC`;

  const { page, total } = await db.transaction().execute(async (trx) => {
    await ensureCampaignPeriod(db, trx, query.range);
    const rows = await sql<PageRow>`
      SELECT c.id, c.impressions, c.clicks, c.spend, c.conversions, c.revenue
      FROM temp.campaign_period c
      ${where}
      ORDER BY ${orderBy(query.sort.column, direction)}
      LIMIT ${query.limit} OFFSET ${query.offset}`.execute(trx);
    const count = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM temp.campaign_period c ${where}`.execute(trx);
    return { page: rows, total: count.rows[0]?.n ?? 0 };
  });

  const ids = page.rows.map((r) => r.id);
  const [details, platforms] = await Promise.all([campaignRows(db, ids), platformsOf(db, ids)]);
  return {
    total,
    rows: page.rows.flatMap((r) => {
      const row = details.get(r.id);
      if (row === undefined) return [];
      return [
        {
          campaign: toCampaign(row, platforms.get(r.id) ?? []),
          clientName: row.client_name,
          totals: {
            impressions: r.impressions,
            clicks: r.clicks,
            spendMicros: r.spend,
            conversions: r.conversions,
            revenueMicros: r.revenue,
          },
        },
      ];
    }),
  };
}

async function campaignRows(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, CampaignRow & { client_name: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('campaigns as c')
    .innerJoin('clients as cl', 'cl.id', 'c.client_id')
    .select([
      'c.id',
      'c.client_id',
      'c.name',
      'c.objective',
      'c.status',
      'c.budget_type',
      'c.budget_micros',
      'c.start_date',
      'c.end_date',
      'c.updated_at',
      'cl.currency',
      'cl.name as client_name',
    ])
    .where('c.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

async function platformsOf(db: Kysely<Database>, campaignIds: string[]): Promise<Map<string, Platform[]>> {
  const byCampaign = new Map<string, Platform[]>();
  if (campaignIds.length === 0) return byCampaign;
  const rows = await db
    .selectFrom('campaign_platforms')
    .select(['campaign_id', 'platform'])
    .where('campaign_id', 'in', campaignIds)
    .orderBy('platform')
    .execute();
  for (const row of rows) {
    const list = byCampaign.get(row.campaign_id) ?? [];
    list.push(row.platform as Platform);
    byCampaign.set(row.campaign_id, list);
  }
  return byCampaign;
}

/** A campaigns row (joined with its client's currency) as the domain type. */
export function toCampaign(row: CampaignRow, platforms: Platform[]): Campaign {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    objective: row.objective as Campaign['objective'],
    status: row.status as Campaign['status'],
    budgetType: row.budget_type as Campaign['budgetType'],
    budgetMicros: row.budget_micros,
    currency: row.currency,
    startDate: row.start_date,
    endDate: row.end_date,
    platforms,
    updatedAt: row.updated_at,
  };
}

export async function findCampaign(db: Kysely<Database>, campaignId: string): Promise<Campaign | undefined> {
  const row = (await campaignRows(db, [campaignId])).get(campaignId);
  if (row === undefined) return undefined;
  const platforms = await platformsOf(db, [row.id]);
  return toCampaign(row, platforms.get(row.id) ?? []);
}
