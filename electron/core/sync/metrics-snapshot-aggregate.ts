import type { MetricWireAd } from '@kiki/shared/sync/sync-protocol';

/** [impressions, clicks, spendMicros, conversions, revenueMicros] */
export type MetricValues = [number, number, number, number, number];

/**
 * Running totals per (campaign, platform, date) of one client's snapshot, folded in while its raw rows are
 * inserted, so the phase-end rollup rebuild reads a few thousand groups instead of re-grouping every raw row
 * (a sort of the whole client: the slowest step of an initial sync). Only an optimisation: the applier checks
 * it against the raw rows before trusting it and otherwise rebuilds from them.
 */
export interface SnapshotAggregate {
  /**
   * One wire ad's rows, all of them. `firstDay` numbers the page's day 0 (days since 1970), so the same date gets
   * the same number on every page and a million rows are summed under number keys rather than date strings.
   */
  addAd(campaignId: string, firstDay: number, ad: MetricWireAd, dateOf: (day: number) => string): void;
  /** Rows folded in and their column totals: the checksum compared with the raw rows. */
  readonly rows: number;
  readonly totals: MetricValues;
  groups(): Iterable<[campaignId: string, platform: string, date: string, ...values: MetricValues]>;
}

interface Target {
  campaignId: string;
  platform: string;
  days: Map<number, { date: string; values: MetricValues }>;
}

export function createSnapshotAggregate(): SnapshotAggregate {
  const byTarget = new Map<string, Target>();
  const totals: MetricValues = [0, 0, 0, 0, 0];
  let rows = 0;
  // Rows arrive in primary-key order, so one ad's days come together: remember the last target.
  let last: Target | undefined;

  return {
    addAd(campaignId, firstDay, [, platform, days, impressions, clicks, spend, conversions, revenue], dateOf) {
      if (last === undefined || campaignId !== last.campaignId || platform !== last.platform) {
        const key = `${campaignId}|${platform}`;
        let target = byTarget.get(key);
        if (target === undefined) {
          target = { campaignId, platform, days: new Map() };
          byTarget.set(key, target);
        }
        last = target;
      }
      const sums = last.days;
      for (let i = 0; i < days.length; i++) {
        const day = firstDay + (days[i] as number);
        const impression = impressions[i] as number;
        const click = clicks[i] as number;
        const spent = spend[i] as number;
        const conversion = conversions[i] as number;
        const earned = revenue[i] as number;
        const sum = sums.get(day);
        if (sum === undefined) {
          sums.set(day, { date: dateOf(days[i] as number), values: [impression, click, spent, conversion, earned] });
        } else {
          const values = sum.values;
          values[0] += impression;
          values[1] += click;
          values[2] += spent;
          values[3] += conversion;
          values[4] += earned;
        }
        totals[0] += impression;
        totals[1] += click;
        totals[2] += spent;
        totals[3] += conversion;
        totals[4] += earned;
      }
      rows += days.length;
    },
    get rows() {
      return rows;
    },
    get totals() {
      return totals;
    },
    *groups() {
      for (const { campaignId, platform, days } of byTarget.values()) {
        for (const { date, values } of days.values()) yield [campaignId, platform, date, ...values];
      }
    },
  };
}
