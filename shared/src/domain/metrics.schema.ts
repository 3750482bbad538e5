import { z } from 'zod';
import { microsSchema } from '../money';

/** Additive metric totals. Ratios are never stored; derive them with `deriveRatios`. */
export const metricTotalsSchema = z.object({
  impressions: z.number().int().nonnegative(),
  clicks: z.number().int().nonnegative(),
  spendMicros: microsSchema,
  conversions: z.number().int().nonnegative(),
  revenueMicros: microsSchema,
});
export type MetricTotals = z.infer<typeof metricTotalsSchema>;

export const EMPTY_TOTALS: MetricTotals = Object.freeze({
  impressions: 0,
  clicks: 0,
  spendMicros: 0,
  conversions: 0,
  revenueMicros: 0,
});

export interface MetricRatios {
  /** revenue / spend; null when nothing was spent. */
  roas: number | null;
  /** clicks / impressions; null without impressions. */
  ctr: number | null;
  /** spend / conversions in micros; null without conversions. */
  cpaMicros: number | null;
}

export function deriveRatios(t: MetricTotals): MetricRatios {
  return {
    roas: t.spendMicros > 0 ? t.revenueMicros / t.spendMicros : null,
    ctr: t.impressions > 0 ? t.clicks / t.impressions : null,
    cpaMicros: t.conversions > 0 ? Math.round(t.spendMicros / t.conversions) : null,
  };
}

export function addTotals(a: MetricTotals, b: MetricTotals): MetricTotals {
  return {
    impressions: a.impressions + b.impressions,
    clicks: a.clicks + b.clicks,
    spendMicros: a.spendMicros + b.spendMicros,
    conversions: a.conversions + b.conversions,
    revenueMicros: a.revenueMicros + b.revenueMicros,
  };
}
