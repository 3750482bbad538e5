import type { Platform } from '@kiki/shared/domain/platform.schema';
import type { DailyMetricRow, MetricsIngest } from '../services/metrics-ingest.repository';
import { addDays } from '../services/calendar-days';
import type { DemoClient } from './demo-catalog';
import type { SeededRandom } from './seeded-random';

const PLATFORM_MODEL: Readonly<Record<Platform, { ctr: number; cpcFactor: number; cvr: number }>> = {
  meta: { ctr: 0.012, cpcFactor: 1, cvr: 0.03 },
  google_ads: { ctr: 0.035, cpcFactor: 1.6, cvr: 0.05 },
  tiktok: { ctr: 0.009, cpcFactor: 0.6, cvr: 0.018 },
};

/** Days in a client's history that went wrong, so alerts and charts have something to show. */
export interface BadDays {
  /** Spend spikes while revenue collapses (a broken landing page, a runaway bid). */
  spike: string | null;
  /** A platform outage: the platform reports the day with zeros. */
  outage: { date: string; platform: Platform } | null;
}

export function badDaysFor(client: DemoClient): BadDays {
  return {
    spike: client.index % 3 !== 1 ? addDays(client.today, -(9 + client.index * 5)) : null,
    outage:
      client.index % 3 !== 2
        ? {
            date: addDays(client.today, -(33 + client.index * 11)),
            platform: client.index % 2 === 0 ? 'tiktok' : 'meta',
          }
        : null,
  };
}

/** Micros rounded to the currency's minor unit: whole yen, cents otherwise. */
function toMicros(units: number, currency: string): number {
  const step = currency === 'JPY' ? 1_000_000 : 10_000;
  return Math.round((units * 1_000_000) / step) * step;
}

export interface ClientDailyTotals {
  /** date -> [ad revenue micros, conversions] */
  byDate: Map<string, [number, number]>;
  rows: number;
}

/**
 * Two years of daily metrics per ad: weekly seasonality, a holiday bump, slow growth, noise and the
 * client's bad days. Rows go to the ingest in batches, exactly as a connector import would.
 */
export function generateClientMetrics(
  client: DemoClient,
  random: SeededRandom,
  ingest: MetricsIngest,
  historyDays: number,
  batchSize: number,
  onRows: (count: number) => void,
): ClientDailyTotals {
  const { profile } = client;
  const firstDay = addDays(client.today, -(historyDays - 1));
  const bad = badDaysFor(client);
  const totals: ClientDailyTotals = { byDate: new Map(), rows: 0 };
  // Calendar facts per day are the same for every ad: compute them once.
  const days: { date: string; factor: number; index: number }[] = [];
  for (let i = 0; i < historyDays; i += 1) {
    const date = addDays(firstDay, i);
    const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
    const month = Number(date.slice(5, 7));
    const holiday = month === 11 || month === 12 ? 1.3 : month === 1 ? 0.85 : 1;
    const growth = 0.75 + (0.5 * i) / historyDays;
    days.push({ date, index: i, factor: (profile.weekly[weekday] ?? 1) * holiday * growth });
  }
  const dayIndex = new Map(days.map((d) => [d.date, d.index]));

  let batch: DailyMetricRow[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    ingest.ingest(batch);
    onRows(batch.length);
    batch = [];
  };

  for (const campaign of client.campaigns) {
    const from = dayIndex.get(campaign.startDate) ?? 0;
    const to = dayIndex.get(campaign.lastDay) ?? historyDays - 1;
    for (const ad of campaign.ads) {
      const model = PLATFORM_MODEL[ad.platform];
      const adQuality = random.between(0.7, 1.3);
      for (let i = from; i <= to; i += 1) {
        const day = days[i];
        if (day === undefined) continue;
        if (bad.outage !== null && bad.outage.date === day.date && bad.outage.platform === ad.platform) {
          batch.push({
            adId: ad.id,
            platform: ad.platform,
            date: day.date,
            impressions: 0,
            clicks: 0,
            spendMicros: 0,
            conversions: 0,
            revenueMicros: 0,
          });
        } else {
          const spike = bad.spike === day.date;
          const impressions = Math.round(ad.baseImpressions * day.factor * random.jitter(0.35));
          const clicks = Math.min(impressions, Math.round(impressions * model.ctr * adQuality * random.jitter(0.3)));
          const cpc = profile.cpc * model.cpcFactor * random.jitter(0.2) * (spike ? 3.5 : 1);
          const conversions = Math.min(
            clicks,
            Math.round(clicks * model.cvr * adQuality * random.jitter(0.5) * (spike ? 0.08 : 1)),
          );
          const revenue = conversions * profile.orderValue * random.jitter(0.3);
          batch.push({
            adId: ad.id,
            platform: ad.platform,
            date: day.date,
            impressions,
            clicks,
            spendMicros: toMicros(clicks * cpc, profile.currency),
            conversions,
            revenueMicros: toMicros(revenue, profile.currency),
          });
        }
        const row = batch[batch.length - 1] as DailyMetricRow;
        const sum = totals.byDate.get(row.date);
        if (sum === undefined) totals.byDate.set(row.date, [row.revenueMicros, row.conversions]);
        else {
          sum[0] += row.revenueMicros;
          sum[1] += row.conversions;
        }
        totals.rows += 1;
        if (batch.length >= batchSize) flush();
      }
    }
  }
  flush();
  return totals;
}
