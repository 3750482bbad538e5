import { sql, type Kysely, type RawBuilder } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { can, type Grant } from '@kiki/shared/permissions';
import { METRIC_WIRE_MAX_DAY, METRICS_PAGE_MAX_ROWS, type MetricsPullResponse } from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../db/database';
import { auditForeignDevice, ownDevice } from './device.service';
import { currentSyncVersion } from './sync-access';
import {
  decodeMetricsCursor,
  encodeMetricsCursor,
  type DeltaCursor,
  type MetricKey,
  type SnapshotCursor,
} from './metrics-cursor';
import { metricsWindow, type MetricsWindow } from './metrics-window';
import { dayInTimeZone } from '@kiki/shared/dates';

export interface MetricsPullInput {
  orgId: string;
  userId: string;
  grants: readonly Grant[];
  deviceId: string;
  clientId: string;
  cursor: string | null;
  limit?: number;
  /** Injected so a test can roll the day over. */
  now?: Date;
}

/** A page as it goes on the wire: everything but the ads as values, the ads as JSON text. */
export interface MetricsPullPage {
  meta: Omit<MetricsPullResponse, 'ads'>;
  /** The ads array's elements (metricWireAdSchema tuples), comma-separated, without the brackets. */
  adsJson: string;
  rowCount: number;
}

/** One (ad, platform) of a page, already as its wire JSON, and the row a following page starts after. */
interface AdText {
  j: string;
  n: number;
  last_ad: string;
  last_platform: string;
  last_date: string;
  last_seq: string | null;
}

/**
 * The rows of `source` grouped per (ad, platform) into their wire JSON (metricWireAdSchema), made by PostgreSQL:
 * Node then handles ~70 text values per 50,000-row page instead of 50,000. Safe by construction: uuids, a
 * CHECK-constrained platform name and integers need no JSON escaping.
 *
 * The six string_agg calls have no ORDER BY on purpose. One aggregation step feeds each input row to every
 * aggregate of its group in turn, so the six columns always line up; an ORDER BY would make PostgreSQL (before 16)
 * sort each column separately, which more than doubled the query. The days come in the source's order (the key
 * order, in practice), and the protocol asks only that they be distinct.
 */
function groupedAds(source: RawBuilder<unknown>, windowStart: string) {
  const column = (expression: RawBuilder<unknown>) => sql`string_agg((${expression})::text, ',')`;
  return sql`(
    select ad_id, platform, count(*)::int as n, max(date)::text as max_date,
      '["' || ad_id || '","' || platform || '",[' || ${column(sql`date - ${windowStart}::date`)} || '],[' ||
        ${column(sql.ref('impressions'))} || '],[' || ${column(sql.ref('clicks'))} || '],[' ||
        ${column(sql.ref('spend_micros'))} || '],[' || ${column(sql.ref('conversions'))} || '],[' ||
        ${column(sql.ref('revenue_micros'))} || ']]' as j
    from ${source} as source group by ad_id, platform)`;
}

/** A snapshot page's ads; its rows are in (ad, platform, date) order, so the last ad's last day ends the page. */
function snapshotAds(rows: RawBuilder<unknown>, windowStart: string): RawBuilder<AdText> {
  return sql<AdText>`
    select j, n, ad_id::text as last_ad, platform as last_platform, max_date as last_date, null as last_seq
    from ${groupedAds(sql`(${rows})`, windowStart)} as g
    order by ad_id, platform`;
}

/** A delta page's ads; its rows are in change_seq order, so the page's last row is looked up on its own. */
function deltaAds(rows: RawBuilder<unknown>, windowStart: string): RawBuilder<AdText> {
  return sql<AdText>`
    with page as materialized (${rows}),
    last_row as (
      select ad_id, platform, date, change_seq from page
      order by change_seq desc, ad_id desc, platform desc, date desc limit 1)
    select g.j, g.n, l.ad_id::text as last_ad, l.platform as last_platform, l.date::text as last_date,
      l.change_seq::text as last_seq
    from ${groupedAds(sql.ref('page'), windowStart)} as g cross join last_row l
    order by g.ad_id, g.platform`;
}

/** JSON of the whole response, in the schema's key order; the ads are spliced in as they came from the database. */
export function metricsPageJson(page: MetricsPullPage): string {
  const { cursor, hasMore, phase, windowStart, progress, resetRequired } = page.meta;
  return (
    `{"cursor":${JSON.stringify(cursor)},"hasMore":${hasMore},"phase":${JSON.stringify(phase)},` +
    `"windowStart":${JSON.stringify(windowStart)},"ads":[${page.adsJson}],` +
    `"progress":${JSON.stringify(progress)},"resetRequired":${resetRequired}}`
  );
}

function rowsIn(ads: readonly AdText[]): number {
  let rows = 0;
  for (const ad of ads) rows += ad.n;
  return rows;
}

function lastKeyOf(ads: readonly AdText[]): MetricKey | null {
  const last = ads.at(-1);
  return last === undefined ? null : ([last.last_ad, last.last_platform, last.last_date] as MetricKey);
}

/** Device, client and reach checks; returns the advertiser's window. */
async function authorize(db: Kysely<Database>, input: MetricsPullInput): Promise<MetricsWindow> {
  // Same answers as push and pull: 404 for an unregistered device, 403 for another user's.
  await ownDevice(db, input, input.deviceId);
  const client = await db
    .selectFrom('clients')
    .select(['timezone', 'archived_at'])
    .where('org_id', '=', input.orgId)
    .where('id', '=', input.clientId)
    .executeTakeFirst();
  // Unknown, archived and unreadable clients answer alike, so the answer does not reveal which one it is.
  if (client === undefined || client.archived_at !== null || !can(input.grants, 'metrics.read', input.clientId)) {
    throw new AppError(
      'FORBIDDEN',
      "You cannot read this client's metrics (any more); drop its local rows and ask an agency admin for access.",
    );
  }
  return metricsWindow(dayInTimeZone(input.now ?? new Date(), client.timezone));
}

/**
 * The last date a page can number (METRIC_WIRE_MAX_DAY days after windowStart). Ingest accepts dates up to the
 * client's tomorrow, so nothing reaches it today; the bound keeps a stray far-future row from making every page
 * of the client invalid on the device.
 */
function lastWireDate(window: MetricsWindow): RawBuilder<unknown> {
  return sql`${window.windowStart}::date + ${METRIC_WIRE_MAX_DAY}::int`;
}

function snapshotPageQuery(
  input: MetricsPullInput,
  window: MetricsWindow,
  phase: 'recent' | 'history',
  after: MetricKey | null,
  limit: number,
): RawBuilder<AdText> {
  const range =
    phase === 'recent'
      ? sql`date >= ${window.recentStart}::date and date <= ${lastWireDate(window)}`
      : sql`date >= ${window.windowStart}::date and date < ${window.recentStart}::date`;
  const keyset =
    after === null ? sql`` : sql`and (ad_id, platform, date) > (${after[0]}::uuid, ${after[1]}, ${after[2]}::date)`;
  // An index-only scan of performance_metrics_snapshot_cover_idx (migration 0004), in the device's key order.
  const rows = sql`
    select ad_id, platform, date, impressions, clicks, spend_micros, conversions, revenue_micros
    from performance_metrics
    where org_id = ${input.orgId} and client_id = ${input.clientId} and ${range} ${keyset}
    order by ad_id, platform, date
    limit ${limit}`;
  return snapshotAds(rows, window.windowStart);
}

function maxChangeSeq(input: MetricsPullInput): RawBuilder<{ seq: number }> {
  return sql<{ seq: number }>`
    select coalesce(max(change_seq), 0)::bigint as seq from performance_metrics
    where org_id = ${input.orgId} and client_id = ${input.clientId}`;
}

function page(
  cursor: string,
  hasMore: boolean,
  phase: MetricsPullResponse['phase'],
  window: MetricsWindow,
  ads: readonly AdText[],
  progress: MetricsPullResponse['progress'],
): MetricsPullPage {
  return {
    meta: { cursor, hasMore, phase, windowStart: window.windowStart, progress, resetRequired: false },
    adsJson: ads.map((ad) => ad.j).join(','),
    rowCount: rowsIn(ads),
  };
}

function reset(window: MetricsWindow): MetricsPullPage {
  return {
    meta: {
      cursor: '',
      hasMore: false,
      phase: 'delta',
      windowStart: window.windowStart,
      progress: { done: 0, total: 0 },
      resetRequired: true,
    },
    adsJson: '',
    rowCount: 0,
  };
}

async function snapshotPage(
  db: Kysely<Database>,
  input: MetricsPullInput,
  window: MetricsWindow,
  start: SnapshotCursor,
  limit: number,
): Promise<MetricsPullPage> {
  let cursor = start;
  for (;;) {
    const found = (await snapshotPageQuery(input, window, cursor.p, cursor.a, limit).execute(db)).rows;
    const rows = rowsIn(found);
    const last = lastKeyOf(found);
    const done = cursor.d + rows;
    if (rows === limit && last !== null) {
      const next: SnapshotCursor = { ...cursor, a: last, d: done };
      return page(encodeMetricsCursor(next), true, cursor.p, window, found, { done, total: cursor.t });
    }
    if (cursor.p === 'recent') {
      const next: SnapshotCursor = { ...cursor, p: 'history', a: null, d: done };
      // An empty remainder of 'recent' goes straight on to 'history' instead of answering an empty page.
      if (rows === 0) {
        cursor = next;
        continue;
      }
      return page(encodeMetricsCursor(next), true, 'recent', window, found, { done, total: cursor.t });
    }
    // The snapshot is complete. Rows written since it began carry a change_seq above `s` and come as deltas; say
    // whether there are any so the device pulls them now rather than at the next poke.
    const delta: DeltaCursor = { k: 'd', c: input.clientId, s: cursor.s, a: null };
    const latest = Number((await maxChangeSeq(input).execute(db)).rows[0]?.seq ?? 0);
    return page(encodeMetricsCursor(delta), latest > cursor.s, 'history', window, found, {
      done,
      total: Math.max(cursor.t, done),
    });
  }
}

async function deltaPage(
  db: Kysely<Database>,
  input: MetricsPullInput,
  window: MetricsWindow,
  cursor: DeltaCursor,
  limit: number,
  version: number,
): Promise<MetricsPullPage> {
  const after =
    cursor.a === null
      ? sql`change_seq > ${cursor.s}`
      : sql`(change_seq, ad_id, platform, date) > (${cursor.s}, ${cursor.a[0]}::uuid, ${cursor.a[1]}, ${cursor.a[2]}::date)`;
  const rows = sql`
    select ad_id, platform, date, impressions, clicks, spend_micros, conversions, revenue_micros, change_seq
    from performance_metrics
    where org_id = ${input.orgId} and client_id = ${input.clientId} and ${after}
      and date >= ${window.windowStart}::date and date <= ${lastWireDate(window)}
    order by change_seq, ad_id, platform, date
    limit ${limit}`;
  const found = (await deltaAds(rows, window.windowStart).execute(db)).rows;
  const count = rowsIn(found);
  const last = lastKeyOf(found);
  const lastSeq = found.at(-1)?.last_seq;
  const hasMore = count === limit;
  let next: DeltaCursor;
  if (hasMore && last !== null && lastSeq != null) {
    // A full page can stop inside one change_seq: resume after its last key.
    next = { k: 'd', c: input.clientId, s: Number(lastSeq), a: last };
  } else {
    // Nothing of this client is left up to the agency's version, so the cursor moves up to it even when the
    // client had no changes. Otherwise a quiet client's cursor would fall below retained_from (which the prune
    // raises) and it would be told to reset on every pull, forever.
    const seenSeq = lastSeq == null ? cursor.s : Number(lastSeq);
    next = { k: 'd', c: input.clientId, s: Math.max(cursor.s, seenSeq, version), a: null };
  }
  return page(encodeMetricsCursor(next), hasMore, 'delta', window, found, { done: count, total: count });
}

/**
 * One page of an advertiser's metrics for a device: a snapshot (recent days first, then the rest of the window,
 * each in the device's primary-key order) that ends in a delta cursor, then deltas by change_seq. See
 * docs/sync-protocol.md "## Metrics" for the cursor rules.
 */
export async function pullMetricsPage(db: Kysely<Database>, input: MetricsPullInput): Promise<MetricsPullPage> {
  return auditForeignDevice(db, input, input.deviceId, () => pullMetricsPageOnce(db, input));
}

async function pullMetricsPageOnce(db: Kysely<Database>, input: MetricsPullInput): Promise<MetricsPullPage> {
  const window = await authorize(db, input);
  const limit = Math.min(input.limit ?? METRICS_PAGE_MAX_ROWS, METRICS_PAGE_MAX_ROWS);

  if (input.cursor === null) {
    // The first page, the snapshot's change_seq and its total come from one snapshot of the database, so every
    // row committed after it has a higher change_seq and reaches the device as a delta. The start is the agency's
    // version, not the client's own max change_seq: a client with old (or no) metrics would otherwise start below
    // retained_from and be told to reset straight away.
    return db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const seq = Number((await currentSyncVersion(trx, input.orgId)).version);
        const total = await sql<{ n: number }>`
          select count(*)::bigint as n from performance_metrics
          where org_id = ${input.orgId} and client_id = ${input.clientId} and date >= ${window.windowStart}::date
            and date <= ${lastWireDate(window)}`.execute(trx);
        const start: SnapshotCursor = {
          k: 's',
          c: input.clientId,
          w: window.windowStart,
          s: seq,
          p: 'recent',
          a: null,
          d: 0,
          t: Number(total.rows[0]?.n ?? 0),
        };
        return snapshotPage(trx, input, window, start, limit);
      });
  }

  const cursor = decodeMetricsCursor(input.cursor, input.clientId);
  if (cursor.k === 's') {
    if (cursor.w !== window.windowStart) return reset(window);
    return snapshotPage(db, input, window, cursor, limit);
  }
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      // The agency's version and the rows come from one snapshot: versions become visible in commit order
      // (migration 0003), so this snapshot has every metrics row with change_seq <= version.
      const { version, retainedFrom } = await currentSyncVersion(trx, input.orgId);
      if (cursor.s < Number(retainedFrom)) return reset(window);
      return deltaPage(trx, input, window, cursor, limit, Number(version));
    });
}
