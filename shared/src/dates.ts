import { z } from 'zod';

/** A calendar day, `YYYY-MM-DD`, in the client's timezone. */
export const isoDateSchema = z.iso.date();
export type IsoDate = z.infer<typeof isoDateSchema>;

/**
 * The longest range a view may ask for. Ranges are walked day by day (trend buckets, previous periods), so an
 * unbounded one would stall core; ten years covers any real reporting period.
 */
export const MAX_RANGE_DAYS = 3660;

const DAY_MS = 86_400_000;

/** Days from `from` to `to`, both included. */
export function daysInRange(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The day `days` after `day` (negative: before), counted in UTC, where no day is 23 or 25 hours long. */
export function addDays(day: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar months back, clamped to the month's last day (2026-03-31 minus one month is 2026-02-28), as PostgreSQL does. */
export function subtractMonths(day: IsoDate, months: number): IsoDate {
  const index = Number(day.slice(0, 4)) * 12 + (Number(day.slice(5, 7)) - 1) - months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(Number(day.slice(8, 10)), lastDay))).toISOString().slice(0, 10);
}

/** The calendar day it is in `timeZone` at `instant` (metric dates are days in the advertiser's timezone). */
export function dayInTimeZone(instant: Date, timeZone: string): IsoDate {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(instant)
    .reduce<Record<string, string>>((acc, part) => ({ ...acc, [part.type]: part.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** An inclusive range of calendar days. */
export const dateRangeSchema = z
  .object({ from: isoDateSchema, to: isoDateSchema })
  .refine((r) => r.from <= r.to, { message: 'from must be on or before to', path: ['from'] })
  .refine((r) => r.from > r.to || daysInRange(r.from, r.to) <= MAX_RANGE_DAYS, {
    message: `a range may span at most ${MAX_RANGE_DAYS} days (ten years); pick a shorter period`,
    path: ['to'],
  });
export type DateRange = z.infer<typeof dateRangeSchema>;

export const timezoneSchema = z.string().min(1).max(64);
