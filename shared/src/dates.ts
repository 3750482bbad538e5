import { z } from 'zod';

/** A calendar day, `YYYY-MM-DD`, in the client's timezone. */
export const isoDateSchema = z.iso.date();
export type IsoDate = z.infer<typeof isoDateSchema>;

/** An inclusive range of calendar days. */
export const dateRangeSchema = z
  .object({ from: isoDateSchema, to: isoDateSchema })
  .refine((r) => r.from <= r.to, { message: 'from must be on or before to', path: ['from'] });
export type DateRange = z.infer<typeof dateRangeSchema>;

export const timezoneSchema = z.string().min(1).max(64);
