import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { DateRange } from '@kiki/shared/dates';
import { addTotals, EMPTY_TOTALS, type MetricTotals } from '@kiki/shared/domain/metrics.schema';
import type { Granularity, RpcOutput } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../db/database.types';
import { findClient, listClientCurrencies } from './clients.repository';
import { sumByBucket, sumByPlatform, type DashboardScope, type PlatformTotalsRow } from './dashboard.repository';
import { isoWeekStart, monthStart, nextMonthStart, previousRange } from './calendar-days';

interface ResolvedScope {
  scope: DashboardScope;
  /** Every currency the view shows, even those with no data in the range. */
  currencies: string[];
}

async function resolveScope(db: Kysely<Database>, clientId: string | null): Promise<ResolvedScope> {
  if (clientId === null) return { scope: { kind: 'all' }, currencies: await listClientCurrencies(db) };
  const client = await findClient(db, clientId);
  if (client === undefined) {
    throw new AppError('NOT_FOUND', 'That client is not in the local cache; pick another client or sync again.');
  }
  return { scope: { kind: 'client', clientId, currency: client.currency }, currencies: [client.currency] };
}

function totalsPerCurrency(rows: PlatformTotalsRow[]): Map<string, MetricTotals> {
  const byCurrency = new Map<string, MetricTotals>();
  for (const row of rows)
    byCurrency.set(row.currency, addTotals(byCurrency.get(row.currency) ?? EMPTY_TOTALS, row.totals));
  return byCurrency;
}

export async function dashboardSummary(
  db: Kysely<Database>,
  input: { clientId: string | null; range: DateRange },
): Promise<RpcOutput<'dashboard.summary'>> {
  const { scope, currencies } = await resolveScope(db, input.clientId);
  const previous = previousRange(input.range);
  const current = totalsPerCurrency(await sumByPlatform(db, scope, input.range));
  const before = totalsPerCurrency(await sumByPlatform(db, scope, previous));
  return {
    range: input.range,
    previousRange: previous,
    byCurrency: currencies.map((currency) => ({
      currency,
      current: { ...(current.get(currency) ?? EMPTY_TOTALS) },
      previous: { ...(before.get(currency) ?? EMPTY_TOTALS) },
    })),
  };
}

/** Every bucket start in the range, so quiet days/weeks/months show as zero instead of vanishing. */
export function bucketStarts(range: DateRange, granularity: Granularity): string[] {
  const starts: string[] = [];
  if (granularity === 'month') {
    for (let day = monthStart(range.from); day <= range.to; day = nextMonthStart(day)) starts.push(day);
    return starts;
  }
  const first = granularity === 'week' ? isoWeekStart(range.from) : range.from;
  const step = (granularity === 'week' ? 7 : 1) * 86_400_000;
  const end = Date.parse(`${range.to}T00:00:00Z`);
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= end; ms += step) {
    starts.push(new Date(ms).toISOString().slice(0, 10));
  }
  return starts;
}

export async function dashboardTrend(
  db: Kysely<Database>,
  input: { clientId: string | null; range: DateRange; granularity: Granularity },
): Promise<RpcOutput<'dashboard.trend'>> {
  const { scope, currencies } = await resolveScope(db, input.clientId);
  const byCurrency = await sumByBucket(db, scope, input.range, input.granularity);
  const starts = bucketStarts(input.range, input.granularity);
  return {
    granularity: input.granularity,
    series: currencies.map((currency) => {
      // Both lists are ordered by bucket: walk them together and fill quiet buckets with zero.
      const stored = byCurrency.get(currency) ?? [];
      let next = 0;
      return {
        currency,
        points: starts.map((bucket) => {
          const point = stored[next];
          if (point?.[0] === bucket) {
            next += 1;
            return { bucket, spendMicros: point[1], revenueMicros: point[2] };
          }
          return { bucket, spendMicros: 0, revenueMicros: 0 };
        }),
      };
    }),
  };
}

export async function dashboardPlatformBreakdown(
  db: Kysely<Database>,
  input: { clientId: string | null; range: DateRange },
): Promise<RpcOutput<'dashboard.platformBreakdown'>> {
  const { scope } = await resolveScope(db, input.clientId);
  const rows = await sumByPlatform(db, scope, input.range);
  rows.sort((a, b) => a.currency.localeCompare(b.currency) || b.totals.spendMicros - a.totals.spendMicros);
  return { rows };
}
