import { addDays, dayInTimeZone, type DateRange } from '@kiki/shared/dates';

// Shared with the team server, which numbers the same advertiser days.
export { addDays, dayInTimeZone };

/**
 * Arithmetic on calendar days ('YYYY-MM-DD'). Metric dates already are days in the client's timezone,
 * so they are computed in UTC, where no day is ever 23 or 25 hours long.
 */
const MS_PER_DAY = 86_400_000;

function toUtcMs(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}

/** Days in an inclusive range. */
export function rangeLength(range: DateRange): number {
  return Math.round((toUtcMs(range.to) - toUtcMs(range.from)) / MS_PER_DAY) + 1;
}

/** The same number of days immediately before the range. */
export function previousRange(range: DateRange): DateRange {
  return { from: addDays(range.from, -rangeLength(range)), to: addDays(range.from, -1) };
}

/** Monday of the ISO week holding the day. */
export function isoWeekStart(day: string): string {
  const weekday = new Date(toUtcMs(day)).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

export function monthStart(day: string): string {
  return `${day.slice(0, 8)}01`;
}

export function nextMonthStart(day: string): string {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  return month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
}

/**
 * Splits a range into leading days, whole months and trailing days, so long ranges read monthly
 * rollups and only the ragged edges read daily ones. `months` is null when no whole month fits.
 */
export function splitByWholeMonths(range: DateRange): {
  head: DateRange | null;
  months: { from: string; to: string } | null;
  tail: DateRange | null;
} {
  const firstWhole = range.from === monthStart(range.from) ? range.from : nextMonthStart(range.from);
  const afterLastWhole = monthStart(addDays(range.to, 1));
  if (firstWhole >= afterLastWhole) return { head: range, months: null, tail: null };
  const lastWholeStart = monthStart(addDays(afterLastWhole, -1));
  return {
    head: firstWhole > range.from ? { from: range.from, to: addDays(firstWhole, -1) } : null,
    months: { from: firstWhole, to: lastWholeStart },
    tail: afterLastWhole <= range.to ? { from: afterLastWhole, to: range.to } : null,
  };
}
