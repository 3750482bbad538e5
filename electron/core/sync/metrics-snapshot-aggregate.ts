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
   * One row. `day` is any integer that numbers `date` (the same date always gets the same number), so a million
   * rows are summed under number keys rather than date strings.
   */
  add(
    campaignId: string,
    platform: string,
    day: number,
    date: string,
    impressions: number,
    clicks: number,
    spendMicros: number,
    conversions: number,
    revenueMicros: number,
  ): void;
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
    add(campaignId, platform, day, date, impressions, clicks, spendMicros, conversions, revenueMicros) {
      if (last === undefined || campaignId !== last.campaignId || platform !== last.platform) {
        const key = `${campaignId}|${platform}`;
        let target = byTarget.get(key);
        if (target === undefined) {
          target = { campaignId, platform, days: new Map() };
          byTarget.set(key, target);
        }
        last = target;
      }
      const sum = last.days.get(day);
      if (sum === undefined) {
        last.days.set(day, { date, values: [impressions, clicks, spendMicros, conversions, revenueMicros] });
      } else {
        const values = sum.values;
        values[0] += impressions;
        values[1] += clicks;
        values[2] += spendMicros;
        values[3] += conversions;
        values[4] += revenueMicros;
      }
      totals[0] += impressions;
      totals[1] += clicks;
      totals[2] += spendMicros;
      totals[3] += conversions;
      totals[4] += revenueMicros;
      rows += 1;
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
