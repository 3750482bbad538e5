import type { IsoDate } from '@kiki/shared/dates';
import { METRICS_RECENT_DAYS, METRICS_WINDOW_MONTHS } from '@kiki/shared/sync/sync-protocol';

/** The days of one advertiser's metrics a device keeps, all in the advertiser's own timezone. */
export interface MetricsWindow {
  today: IsoDate;
  /** First day served; older rows are neither sent nor kept by the device. */
  windowStart: IsoDate;
  /** First day of the 'recent' snapshot phase (the last METRICS_RECENT_DAYS days, today included). */
  recentStart: IsoDate;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function isoDay(year: number, month: number, day: number): IsoDate {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function parts(day: IsoDate): [number, number, number] {
  const [y, m, d] = day.split('-').map(Number);
  return [y ?? 0, m ?? 1, d ?? 1];
}

/** The calendar day it is in `timeZone` at `now` (metric dates are days in the advertiser's timezone). */
export function todayIn(timeZone: string, now: Date): IsoDate {
  const fields = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(now)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return `${fields.year}-${fields.month}-${fields.day}`;
}

export function addDays(day: IsoDate, days: number): IsoDate {
  const [y, m, d] = parts(day);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return isoDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** Calendar months back, clamped to the month's last day (2026-03-31 minus one month is 2026-02-28), as PostgreSQL does. */
export function subtractMonths(day: IsoDate, months: number): IsoDate {
  const [y, m, d] = parts(day);
  const index = y * 12 + (m - 1) - months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return isoDay(year, month, Math.min(d, lastDay));
}

export function metricsWindow(today: IsoDate): MetricsWindow {
  return {
    today,
    windowStart: subtractMonths(today, METRICS_WINDOW_MONTHS),
    recentStart: addDays(today, -(METRICS_RECENT_DAYS - 1)),
  };
}
