import { deriveRatios, type MetricTotals } from '@kiki/shared/domain/metrics.schema';
import {
  formatChange,
  formatInteger,
  formatKpiMoney,
  formatOptionalMoney,
  formatPercent,
  formatRoas,
  percentChange,
} from '../../lib/format';

export type KpiKey = 'spend' | 'revenue' | 'roas' | 'conversions' | 'cpa' | 'ctr';

export interface Kpi {
  key: KpiKey;
  label: string;
  value: string;
  /** Relative change against the previous period, null when it cannot be computed. */
  change: number | null;
  changeLabel: string;
  /** Whether the change is good news: spend up is neutral, CPA up is bad. */
  tone: 'positive' | 'negative' | 'neutral';
}

const LOWER_IS_BETTER: ReadonlySet<KpiKey> = new Set(['cpa']);
const NEUTRAL: ReadonlySet<KpiKey> = new Set(['spend']);

function tone(key: KpiKey, change: number | null): Kpi['tone'] {
  if (change === null || change === 0 || NEUTRAL.has(key)) return 'neutral';
  const up = change > 0;
  return up !== LOWER_IS_BETTER.has(key) ? 'positive' : 'negative';
}

/** The six headline KPIs for one currency, with change against the previous period when it is given. */
export function buildKpis(current: MetricTotals, previous: MetricTotals | null, currency: string): Kpi[] {
  const now = deriveRatios(current);
  const before = previous === null ? null : deriveRatios(previous);
  const rows: [KpiKey, string, string, number | null, number | null][] = [
    [
      'spend',
      'Spend',
      formatKpiMoney(current.spendMicros, currency),
      current.spendMicros,
      previous?.spendMicros ?? null,
    ],
    [
      'revenue',
      'Revenue',
      formatKpiMoney(current.revenueMicros, currency),
      current.revenueMicros,
      previous?.revenueMicros ?? null,
    ],
    ['roas', 'ROAS', formatRoas(now.roas), now.roas, before?.roas ?? null],
    [
      'conversions',
      'Conversions',
      formatInteger(current.conversions),
      current.conversions,
      previous?.conversions ?? null,
    ],
    ['cpa', 'CPA', formatOptionalMoney(now.cpaMicros, currency), now.cpaMicros, before?.cpaMicros ?? null],
    ['ctr', 'CTR', formatPercent(now.ctr), now.ctr, before?.ctr ?? null],
  ];
  return rows.map(([key, label, value, currentValue, previousValue]) => {
    const change = previous === null ? null : percentChange(currentValue, previousValue);
    return { key, label, value, change, changeLabel: formatChange(change), tone: tone(key, change) };
  });
}
