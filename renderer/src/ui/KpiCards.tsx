import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import { buildKpis } from '../features/dashboard/kpis';

interface Props {
  currency: string;
  current: MetricTotals;
  /** Omit on pages that do not compare periods. */
  previous?: MetricTotals | null;
  /** Heading shown above the cards (e.g. the currency when there are several). */
  heading?: string;
}

export function KpiCards({ currency, current, previous = null, heading }: Props) {
  const kpis = buildKpis(current, previous, currency);
  return (
    <section className="kpi-group" aria-label={heading ?? `Key figures in ${currency}`} data-currency={currency}>
      {heading !== undefined && <h2 className="section-title">{heading}</h2>}
      <ul className="kpi-grid">
        {kpis.map((kpi) => (
          <li key={kpi.key} className="kpi-card" data-kpi={kpi.key}>
            <span className="kpi-label">{kpi.label}</span>
            <span className="kpi-value">{kpi.value}</span>
            {previous !== null && (
              <span className={`kpi-change kpi-change-${kpi.tone}`}>
                <span className="visually-hidden">Change against the previous period: </span>
                {kpi.changeLabel}
                <span className="kpi-change-caption" aria-hidden="true">
                  {' '}
                  vs previous
                </span>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
