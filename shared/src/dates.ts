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
