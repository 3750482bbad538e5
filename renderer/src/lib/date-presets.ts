import {
  addDays,
  differenceInCalendarDays,
  endOfMonth,
  format,
  isValid,
  parseISO,
  startOfMonth,
  startOfQuarter,
  startOfYear,
  subDays,
  subMonths,
} from 'date-fns';
import type { DateRange, IsoDate } from '@kiki/shared/dates';
import { TZDate } from '@date-fns/tz';

export const DATE_PRESETS = ['7d', '30d', '90d', 'mtd', 'last-month', 'qtd', 'ytd'] as const;
export type DatePreset = (typeof DATE_PRESETS)[number];

export const DATE_PRESET_LABELS: Readonly<Record<DatePreset, string>> = {
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  mtd: 'Month to date',
  'last-month': 'Last month',
  qtd: 'Quarter to date',
  ytd: 'Year to date',
};

export const DEFAULT_PRESET: DatePreset = '30d';

export function isDatePreset(value: string): value is DatePreset {
  return (DATE_PRESETS as readonly string[]).includes(value);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a strict `YYYY-MM-DD` calendar day; anything else (including 2025-02-30) is null. */
export function parseIsoDate(value: string): Date | null {
  if (!ISO_DATE.test(value)) return null;
  const date = parseISO(value);
  return isValid(date) && toIsoDate(date) === value ? date : null;
}

export function toIsoDate(date: Date): IsoDate {
  return format(date, 'yyyy-MM-dd');
}

/** The calendar day it is in `timeZone` at `now`: a client's metric dates are days in the client's timezone. */
export function todayIn(timeZone: string, now: Date): IsoDate {
  return format(new TZDate(now, timeZone), 'yyyy-MM-dd');
}

/**
 * The day presets count back from. Offline or demo caches stop at their last metric date; counting back from the
 * wall clock would show empty periods, so the earlier of the two wins.
 */
export function effectiveToday(wallClockToday: IsoDate, latestMetricDate: IsoDate | null): IsoDate {
  if (latestMetricDate !== null && latestMetricDate < wallClockToday) return latestMetricDate;
  return wallClockToday;
}

/** The inclusive range a preset covers, relative to `today`. */
export function presetRange(preset: DatePreset, today: IsoDate): DateRange {
  const day = parseIsoDate(today);
  if (day === null) throw new Error(`presetRange needs a YYYY-MM-DD day, got "${today}"`);
  const span = (from: Date, to: Date): DateRange => ({ from: toIsoDate(from), to: toIsoDate(to) });
  switch (preset) {
    case '7d':
      return span(subDays(day, 6), day);
    case '30d':
      return span(subDays(day, 29), day);
    case '90d':
      return span(subDays(day, 89), day);
    case 'mtd':
      return span(startOfMonth(day), day);
    case 'last-month': {
      const previousMonth = subMonths(startOfMonth(day), 1);
      return span(previousMonth, endOfMonth(previousMonth));
    }
    case 'qtd':
      return span(startOfQuarter(day), day);
    case 'ytd':
      return span(startOfYear(day), day);
  }
}

/** Number of calendar days in an inclusive range. */
export function rangeLength(range: DateRange): number {
  const from = parseIsoDate(range.from);
  const to = parseIsoDate(range.to);
  if (from === null || to === null) return 0;
  return differenceInCalendarDays(to, from) + 1;
}

/** Every day of an inclusive range, for filling gaps in daily series. */
export function eachDay(range: DateRange): IsoDate[] {
  const from = parseIsoDate(range.from);
  const length = rangeLength(range);
  if (from === null || length <= 0) return [];
  return Array.from({ length }, (_, i) => toIsoDate(addDays(from, i)));
}

/** "Mar 1 – Mar 31, 2026" style label for a range. */
export function formatRangeLabel(range: DateRange, locale = 'en-US'): string {
  const from = parseIsoDate(range.from);
  const to = parseIsoDate(range.to);
  if (from === null || to === null) return `${range.from} – ${range.to}`;
  const formatter = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', year: 'numeric' });
  return formatter.formatRange(from, to);
}
