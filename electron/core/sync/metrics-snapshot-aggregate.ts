/** [impressions, clicks, spendMicros, conversions, revenueMicros] */
export type MetricValues = [number, number, number, number, number];

/**
 * Running totals per (campaign, platform, date) of one client's snapshot, folded in while its raw rows are
 * inserted, so the phase-end rollup rebuild reads a few thousand groups instead of re-grouping every raw row
 * (a sort of the whole client: the slowest step of an initial sync). Only an optimisation: the applier checks
 * it against the raw rows before trusting it and otherwise rebuilds from them.
 */
export interface SnapshotAggregate {
  add(campaignId: string, platform: string, date: string, ...values: MetricValues): void;
  /** Rows folded in and their column totals: the checksum compared with the raw rows. */
  readonly rows: number;
  readonly totals: MetricValues;
  groups(): Iterable<[campaignId: string, platform: string, date: string, ...values: MetricValues]>;
}

function addInto(target: MetricValues, values: MetricValues): void {
  target[0] += values[0];
  target[1] += values[1];
  target[2] += values[2];
  target[3] += values[3];
  target[4] += values[4];
}

export function createSnapshotAggregate(): SnapshotAggregate {
  const byTarget = new Map<string, { campaignId: string; platform: string; days: Map<string, MetricValues> }>();
  const totals: MetricValues = [0, 0, 0, 0, 0];
  let rows = 0;
  // Rows arrive in primary-key order, so one ad's days come together: remember the last target.
  let lastCampaign = '';
  let lastPlatform = '';
  let lastDays: Map<string, MetricValues> | undefined;

  return {
    add(campaignId, platform, date, ...values) {
      if (lastDays === undefined || campaignId !== lastCampaign || platform !== lastPlatform) {
        const key = `${campaignId}|${platform}`;
        let target = byTarget.get(key);
        if (target === undefined) {
          target = { campaignId, platform, days: new Map() };
          byTarget.set(key, target);
        }
        lastCampaign = campaignId;
        lastPlatform = platform;
        lastDays = target.days;
      }
      const day = lastDays.get(date);
      if (day === undefined) {
        lastDays.set(date, values);
      } else {
        addInto(day, values);
      }
      addInto(totals, values);
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
        for (const [date, values] of days) yield [campaignId, platform, date, ...values];
      }
    },
  };
}
