import { addDays, subtractMonths, type IsoDate } from '@kiki/shared/dates';
import { METRICS_RECENT_DAYS, METRICS_WINDOW_MONTHS } from '@kiki/shared/sync/sync-protocol';

/** The days of one advertiser's metrics a device keeps, all in the advertiser's own timezone. */
export interface MetricsWindow {
  today: IsoDate;
  /** First day served; older rows are neither sent nor kept by the device. */
  windowStart: IsoDate;
  /** First day of the 'recent' snapshot phase (the last METRICS_RECENT_DAYS days, today included). */
  recentStart: IsoDate;
}

export function metricsWindow(today: IsoDate): MetricsWindow {
  return {
    today,
    windowStart: subtractMonths(today, METRICS_WINDOW_MONTHS),
    recentStart: addDays(today, -(METRICS_RECENT_DAYS - 1)),
  };
}
