import { sql, type Kysely, type Transaction } from 'kysely';
import type { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { can, type Grant } from '@kiki/shared/permissions';
import type { metricIngestRowSchema } from '@kiki/shared/sync/sync-protocol';
import { appendAudit } from '../audit/audit.service';
import type { Database } from '../db/database';
import { metricsWindow } from './metrics-window';
import { addDays, dayInTimeZone } from '@kiki/shared/dates';

export type MetricIngestRow = z.infer<typeof metricIngestRowSchema>;

export interface MetricsIngestInput {
  orgId: string;
  userId: string;
  grants: readonly Grant[];
  rows: readonly MetricIngestRow[];
  ip?: string | null;
  requestId?: string | null;
  now?: Date;
}

export interface MetricsIngestResult {
  /** Rows inserted or changed; a row resent with identical numbers is not rewritten (and not re-synced). */
  upserted: number;
  serverVersion: number;
}

/** Rows per INSERT: unnest() arrays keep it one statement with 11 parameters however many rows it carries. */
const CHUNK_ROWS = 10_000;
const SHOW_AT_MOST = 5;

interface AdOwner {
  id: string;
  client_id: string;
  campaign_id: string;
  platform: string;
  timezone: string;
}

function listSome(values: readonly string[]): string {
  const shown = values.slice(0, SHOW_AT_MOST).join(', ');
  return values.length > SHOW_AT_MOST ? `${shown} and ${values.length - SHOW_AT_MOST} more` : shown;
}

/** Every check that can refuse the request, done before anything is written. */
async function resolveAds(db: Kysely<Database>, input: MetricsIngestInput): Promise<Map<string, AdOwner>> {
  const adIds = [...new Set(input.rows.map((r) => r.adId))];
  const found = await db
    .selectFrom('ads')
    .innerJoin('campaigns', (join) =>
      join.onRef('campaigns.org_id', '=', 'ads.org_id').onRef('campaigns.id', '=', 'ads.campaign_id'),
    )
    .innerJoin('clients', (join) =>
      join.onRef('clients.org_id', '=', 'campaigns.org_id').onRef('clients.id', '=', 'campaigns.client_id'),
    )
    .select(['ads.id', 'campaigns.client_id', 'ads.campaign_id', 'ads.platform', 'clients.timezone'])
    .where('ads.org_id', '=', input.orgId)
    .where('ads.id', '=', (eb) => eb.fn.any(eb.val(adIds)))
    .execute();
  const owners = new Map(found.map((a) => [a.id, a]));

  const missing = adIds.filter((id) => !owners.has(id));
  if (missing.length > 0) {
    throw new AppError('NOT_FOUND', `No such ad in your agency: ${listSome(missing)}. Nothing was written.`);
  }
  const clientIds = [...new Set(found.map((a) => a.client_id))];
  const refused = clientIds.filter((id) => !can(input.grants, 'metrics.ingest', id));
  if (refused.length > 0) {
    throw new AppError(
      'FORBIDDEN',
      `You may not load metrics for client ${listSome(refused)}; nothing was written. Ask an agency admin for access.`,
    );
  }

  const seen = new Set<string>();
  const now = input.now ?? new Date();
  const windows = new Map<string, { from: string; to: string }>();
  input.rows.forEach((row, i) => {
    const owner = owners.get(row.adId);
    if (owner === undefined) return;
    if (owner.platform !== row.platform) {
      throw new AppError(
        'VALIDATION_FAILED',
        `rows[${i}]: ad ${row.adId} runs on ${owner.platform}, not ${row.platform}.`,
      );
    }
    const key = `${row.adId}|${row.platform}|${row.date}`;
    if (seen.has(key)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `rows[${i}] repeats an earlier row's ad, platform and date; send each day once.`,
      );
    }
    seen.add(key);
    let window = windows.get(owner.client_id);
    if (window === undefined) {
      const today = dayInTimeZone(now, owner.timezone);
      // A platform reporting in a timezone ahead of the advertiser's may already have tomorrow's first hours.
      window = { from: metricsWindow(today).windowStart, to: addDays(today, 1) };
      windows.set(owner.client_id, window);
    }
    if (row.date < window.from || row.date > window.to) {
      throw new AppError(
        'VALIDATION_FAILED',
        `rows[${i}]: ${row.date} is outside the kept window ${window.from}..${window.to} (in the advertiser's timezone).`,
      );
    }
  });
  return owners;
}

async function upsertChunk(
  trx: Transaction<Database>,
  orgId: string,
  rows: readonly MetricIngestRow[],
  owners: ReadonlyMap<string, AdOwner>,
): Promise<number> {
  const owner = (r: MetricIngestRow) => owners.get(r.adId) as AdOwner;
  // Unchanged rows are skipped by the WHERE: they keep their change_seq, so re-sending a day does not re-sync it.
  const result = await sql`
    insert into performance_metrics as pm
      (org_id, platform, ad_id, date, client_id, campaign_id, impressions, clicks, spend_micros, conversions,
       revenue_micros, updated_at)
    select ${orgId}::uuid, t.platform, t.ad_id, t.date, t.client_id, t.campaign_id, t.impressions, t.clicks,
           t.spend_micros, t.conversions, t.revenue_micros, now()
    from unnest(${rows.map((r) => r.platform)}::text[], ${rows.map((r) => r.adId)}::uuid[],
                ${rows.map((r) => r.date)}::date[], ${rows.map((r) => owner(r).client_id)}::uuid[],
                ${rows.map((r) => owner(r).campaign_id)}::uuid[], ${rows.map((r) => r.impressions)}::bigint[],
                ${rows.map((r) => r.clicks)}::bigint[], ${rows.map((r) => r.spendMicros)}::bigint[],
                ${rows.map((r) => r.conversions)}::bigint[], ${rows.map((r) => r.revenueMicros)}::bigint[])
      as t(platform, ad_id, date, client_id, campaign_id, impressions, clicks, spend_micros, conversions, revenue_micros)
    on conflict (org_id, platform, ad_id, date) do update set
      client_id = excluded.client_id,
      campaign_id = excluded.campaign_id,
      impressions = excluded.impressions,
      clicks = excluded.clicks,
      spend_micros = excluded.spend_micros,
      conversions = excluded.conversions,
      revenue_micros = excluded.revenue_micros,
      updated_at = excluded.updated_at
    where (pm.client_id, pm.campaign_id, pm.impressions, pm.clicks, pm.spend_micros, pm.conversions, pm.revenue_micros)
      is distinct from (excluded.client_id, excluded.campaign_id, excluded.impressions, excluded.clicks,
                        excluded.spend_micros, excluded.conversions, excluded.revenue_micros)`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Recomputes the touched (client, day) rollups from the raw rows instead of adding differences: a restated
 * day then cannot be counted twice, whatever was there before. Exact because ingests of one agency are
 * serialized (see ingestMetrics), so no concurrent writer changes these days between the upsert and this.
 */
async function refreshDailySummaries(
  trx: Transaction<Database>,
  orgId: string,
  days: ReadonlyMap<string, { clientId: string; date: string }>,
): Promise<void> {
  const keys = [...days.values()];
  await sql`
    insert into daily_revenue_summaries as s
      (org_id, client_id, date, impressions, clicks, spend_micros, conversions, revenue_micros, updated_at)
    select pm.org_id, pm.client_id, pm.date, sum(pm.impressions), sum(pm.clicks), sum(pm.spend_micros),
           sum(pm.conversions), sum(pm.revenue_micros), now()
    from unnest(${keys.map((k) => k.clientId)}::uuid[], ${keys.map((k) => k.date)}::date[]) as k(client_id, date)
    join performance_metrics pm on pm.org_id = ${orgId} and pm.client_id = k.client_id and pm.date = k.date
    group by pm.org_id, pm.client_id, pm.date
    on conflict (org_id, client_id, date) do update set
      impressions = excluded.impressions,
      clicks = excluded.clicks,
      spend_micros = excluded.spend_micros,
      conversions = excluded.conversions,
      revenue_micros = excluded.revenue_micros,
      updated_at = excluded.updated_at`.execute(trx);
}

/**
 * Bulk upsert of daily metric rows by their natural key (agency, platform, ad, day) in one transaction, with
 * the per-client daily rollup kept exact and one audit row for the whole call. All or nothing: an ad outside
 * the agency, a client the user may not load metrics for, or a bad row refuses the request before any write.
 */
export async function ingestMetrics(db: Kysely<Database>, input: MetricsIngestInput): Promise<MetricsIngestResult> {
  const owners = await resolveAds(db, input);
  const days = new Map<string, { clientId: string; date: string }>();
  for (const row of input.rows) {
    const clientId = (owners.get(row.adId) as AdOwner).client_id;
    days.set(`${clientId}|${row.date}`, { clientId, date: row.date });
  }

  return db.transaction().execute(async (trx) => {
    // Allocating the agency's version first takes its sync_versions row lock until commit (migration 0003):
    // ingests and other writers of one agency run one after another, which keeps the rollup recompute exact
    // and makes every row of this call share this change_seq.
    const versionRow = await sql<{ v: number | null }>`select kiki_sync_version(${input.orgId}) as v`.execute(trx);
    const serverVersion = Number(versionRow.rows[0]?.v ?? 0);
    let upserted = 0;
    for (let i = 0; i < input.rows.length; i += CHUNK_ROWS) {
      upserted += await upsertChunk(trx, input.orgId, input.rows.slice(i, i + CHUNK_ROWS), owners);
    }
    await refreshDailySummaries(trx, input.orgId, days);

    const dates = input.rows.map((r) => r.date).sort();
    const clientIds = [...new Set([...days.values()].map((d) => d.clientId))].sort();
    await appendAudit(trx, {
      orgId: input.orgId,
      actorUserId: input.userId,
      action: 'metrics.ingested',
      entityType: 'performance_metrics',
      entityId: null,
      data: {
        rows: input.rows.length,
        upserted,
        clientIds,
        from: dates[0],
        to: dates.at(-1),
        serverVersion,
      },
      ip: input.ip ?? null,
      requestId: input.requestId ?? null,
    });
    return { upserted, serverVersion };
  });
}
