import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DateRange } from '@kiki/shared/dates';
import type { Campaign, CampaignStatus } from '@kiki/shared/domain/campaign.schema';
import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import type { CampaignSortColumn } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';
import { splitByWholeMonths } from './calendar-days';

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

interface CampaignRow {
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

const METRIC_COLUMNS = sql`campaign_id, impressions, clicks, spend_micros, conversions, revenue_micros`;

/**
 * Per-campaign totals for a range as a SQL subquery: whole months come from the monthly rollup and only
 * the ragged edges from the daily one, so a two-year range reads ~24 rows per campaign, not ~730.
 */
function periodTotals(range: DateRange, campaignFilter: RawBuilder<unknown> | null): RawBuilder<unknown> {
  const parts = splitByWholeMonths(range);
  const filter = campaignFilter === null ? sql`` : sql` AND campaign_id IN (${campaignFilter})`;
  const sources: RawBuilder<unknown>[] = [];
  for (const days of [parts.head, parts.tail]) {
    if (days !== null) {
      sources.push(
        sql`SELECT ${METRIC_COLUMNS} FROM rollup_campaign_day WHERE date >= ${days.from} AND date <= ${days.to}${filter}`,
      );
    }
  }
  if (parts.months !== null) {
    sources.push(
      sql`SELECT ${METRIC_COLUMNS} FROM rollup_campaign_month
          WHERE month >= ${parts.months.from} AND month <= ${parts.months.to}${filter}`,
    );
  }
  return sql`SELECT campaign_id, SUM(impressions) AS impressions, SUM(clicks) AS clicks,
      SUM(spend_micros) AS spend, SUM(conversions) AS conversions, SUM(revenue_micros) AS revenue
    FROM (${sql.join(sources, sql` UNION ALL `)}) GROUP BY campaign_id`;
}

function sortExpression(column: CampaignSortColumn): RawBuilder<unknown> {
  switch (column) {
    case 'name':
      return sql`c.search_name`;
    case 'client':
      return sql`lower(cl.name)`;
    case 'status':
      return sql`c.status`;
    case 'budget':
      return sql`c.budget_micros`;
    case 'startDate':
      return sql`c.start_date`;
    case 'impressions':
      return sql`COALESCE(t.impressions, 0)`;
    case 'clicks':
      return sql`COALESCE(t.clicks, 0)`;
    case 'spend':
      return sql`COALESCE(t.spend, 0)`;
    case 'conversions':
      return sql`COALESCE(t.conversions, 0)`;
    case 'revenue':
      return sql`COALESCE(t.revenue, 0)`;
    // Ratios divide by NULL when undefined, so "no spend" sorts last in either direction.
    case 'roas':
      return sql`CAST(t.revenue AS REAL) / NULLIF(t.spend, 0)`;
    case 'ctr':
      return sql`CAST(t.clicks AS REAL) / NULLIF(t.impressions, 0)`;
    case 'cpa':
      return sql`CAST(t.spend AS REAL) / NULLIF(t.conversions, 0)`;
  }
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
    conditions.push(
      sql`EXISTS (SELECT 1 FROM campaign_platforms p WHERE p.campaign_id = c.id AND p.platform IN (${sql.join(query.platforms)}))`,
    );
  }
  const search = query.search.trim().toLocaleLowerCase();
  if (search !== '') conditions.push(sql`c.search_name LIKE ${`%${escapeLike(search)}%`} ESCAPE '\\'`);
  const where = conditions.length > 0 ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const clientFilter =
    query.clientIds.length > 0 ? sql`SELECT id FROM campaigns WHERE client_id IN (${sql.join(query.clientIds)})` : null;
  const direction = query.sort.direction === 'asc' ? sql`ASC` : sql`DESC`;

  // Sort and page over ids and totals only: the top-N sorter keeps just one page in memory, and only
  // that page is joined to its campaign and client rows afterwards.
  const joinClients = query.sort.column === 'client' ? sql`JOIN clients cl ON cl.id = c.client_id` : sql``;
  const page = await sql<PageRow>`
    WITH t AS MATERIALIZED (${periodTotals(query.range, clientFilter)})
    SELECT c.id, COALESCE(t.impressions, 0) AS impressions, COALESCE(t.clicks, 0) AS clicks,
      COALESCE(t.spend, 0) AS spend, COALESCE(t.conversions, 0) AS conversions, COALESCE(t.revenue, 0) AS revenue
    FROM campaigns c
    ${joinClients}
    LEFT JOIN t ON t.campaign_id = c.id
    ${where}
    ORDER BY ${sortExpression(query.sort.column)} ${direction} NULLS LAST, c.id
    LIMIT ${query.limit} OFFSET ${query.offset}`.execute(db);

  const ids = page.rows.map((r) => r.id);
  const [details, platforms, total] = await Promise.all([
    campaignRows(db, ids),
    platformsOf(db, ids),
    countMatching(db, where),
  ]);
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

/** The filters never look at metrics, so the count needs no period totals. */
async function countMatching(db: Kysely<Database>, where: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM campaigns c ${where}`.execute(db);
  return result.rows[0]?.n ?? 0;
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

function toCampaign(row: CampaignRow, platforms: Platform[]): Campaign {
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
  const row = await db
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
    ])
    .where('c.id', '=', campaignId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const platforms = await platformsOf(db, [row.id]);
  return toCampaign(row, platforms.get(row.id) ?? []);
}
