import { MICROS_PER_UNIT } from '@kiki/shared/money';
import type { IsoDate } from '@kiki/shared/dates';
import { downsampleLttb, MAX_CHART_POINTS, type SeriesPoint } from './downsample';

export interface MoneyPoint {
  bucket: IsoDate;
  spendMicros: number;
  revenueMicros: number;
}

export interface SpendRevenueSeries {
  spend: SeriesPoint[];
  revenue: SeriesPoint[];
}

/** Calendar days as UTC midnights, so the axis never shifts a day with the viewer's timezone. */
export function isoDateToUtcMs(date: IsoDate): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Chart-ready spend and revenue lines in currency units, each capped at `maxPoints`. */
export function toSpendRevenueSeries(points: readonly MoneyPoint[], maxPoints = MAX_CHART_POINTS): SpendRevenueSeries {
  const sorted = [...points].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  const spend = sorted.map((p) => ({ x: isoDateToUtcMs(p.bucket), y: p.spendMicros / MICROS_PER_UNIT }));
  const revenue = sorted.map((p) => ({ x: isoDateToUtcMs(p.bucket), y: p.revenueMicros / MICROS_PER_UNIT }));
  return { spend: downsampleLttb(spend, maxPoints), revenue: downsampleLttb(revenue, maxPoints) };
}

const axisFormats = {
  day: new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
  week: new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' }),
  month: new Intl.DateTimeFormat('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' }),
};

export function formatBucket(ms: number, granularity: 'day' | 'week' | 'month'): string {
  return axisFormats[granularity].format(new Date(ms));
}

/**
 * At most `count` tick positions taken from the data itself, evenly spread and always including the first and last,
 * so labels sit on real buckets (d3's time ticks land between weeks and crowd at month starts).
 */
export function evenTicks(xs: readonly number[], count: number): number[] {
  if (xs.length <= count) return [...xs];
  const step = (xs.length - 1) / (count - 1);
  const ticks: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = xs[Math.round(i * step)];
    if (x !== undefined && ticks.at(-1) !== x) ticks.push(x);
  }
  return ticks;
}
