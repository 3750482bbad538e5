import { daysInRange, type IsoDate } from '../dates';
import type { Platform } from '../domain/platform.schema';
import type { MetricWireAd } from './sync-protocol';

/** One metric row as the pages' grouped columns describe it. */
export interface MetricRow {
  adId: string;
  platform: Platform;
  date: IsoDate;
  impressions: number;
  clicks: number;
  spendMicros: number;
  conversions: number;
  revenueMicros: number;
}

const DAY_MS = 86_400_000;

/** Days from `windowStart` to `date` (negative before it): the `days` values of a wire ad. */
export function dayAfter(windowStart: IsoDate, date: IsoDate): number {
  return daysInRange(windowStart, date) - 1;
}

/**
 * Turns a wire ad's day numbers back into ISO dates. A snapshot repeats the same few hundred days on every ad, so
 * each date string is made once per window and shared (which also keeps SQLite's string binding cheap).
 */
export function createWireDates(windowStart: IsoDate): (day: number) => IsoDate {
  const start = Date.parse(`${windowStart}T00:00:00Z`);
  const made: IsoDate[] = [];
  return (day) => {
    let date = made[day];
    if (date === undefined) {
      date = new Date(start + day * DAY_MS).toISOString().slice(0, 10);
      made[day] = date;
    }
    return date;
  };
}

/** Rows in key order (ad, platform, date) grouped into wire ads; consecutive rows of one ad share a group. */
export function groupMetricRows(windowStart: IsoDate, rows: readonly MetricRow[]): MetricWireAd[] {
  const ads: MetricWireAd[] = [];
  let current: MetricWireAd | undefined;
  for (const row of rows) {
    if (current === undefined || current[0] !== row.adId || current[1] !== row.platform) {
      current = [row.adId, row.platform, [], [], [], [], [], []];
      ads.push(current);
    }
    current[2].push(dayAfter(windowStart, row.date));
    current[3].push(row.impressions);
    current[4].push(row.clicks);
    current[5].push(row.spendMicros);
    current[6].push(row.conversions);
    current[7].push(row.revenueMicros);
  }
  return ads;
}

/** The rows of a page's wire ads, in page order. */
export function metricRowsOf(windowStart: IsoDate, ads: readonly MetricWireAd[]): MetricRow[] {
  const dateOf = createWireDates(windowStart);
  const rows: MetricRow[] = [];
  for (const [adId, platform, days, impressions, clicks, spend, conversions, revenue] of ads) {
    for (let i = 0; i < days.length; i++) {
      rows.push({
        adId,
        platform,
        date: dateOf(days[i] as number),
        impressions: impressions[i] as number,
        clicks: clicks[i] as number,
        spendMicros: spend[i] as number,
        conversions: conversions[i] as number,
        revenueMicros: revenue[i] as number,
      });
    }
  }
  return rows;
}

/** Rows in a page's wire ads. */
export function metricRowCount(ads: readonly MetricWireAd[]): number {
  let rows = 0;
  for (const ad of ads) rows += ad[2].length;
  return rows;
}
