import { lazy, Suspense } from 'react';
import { deriveRatios, type MetricTotals } from '@kiki/shared/domain/metrics.schema';
import { PLATFORM_LABELS, type Platform } from '@kiki/shared/domain/platform.schema';
import { formatInteger, formatMoney, formatRoas } from '../../lib/format';
import { ChartBoundary } from '../../ui/ChartBoundary';

// Victory loads after the figures: the table and KPIs must not wait for the charting library.
const PlatformBarChart = lazy(() => import('./PlatformBarChart'));

interface Props {
  currency: string;
  rows: readonly { platform: Platform; totals: MetricTotals }[];
}

/** Spend and revenue per ad platform for one currency: a grouped bar chart with the exact figures beside it. */
export function PlatformBreakdown({ currency, rows }: Props) {
  return (
    <div className="breakdown">
      <div className="breakdown-chart">
        <ChartBoundary>
          <Suspense fallback={<div className="chart-placeholder" style={{ height: 140 }} aria-hidden="true" />}>
            <PlatformBarChart currency={currency} rows={rows} />
          </Suspense>
        </ChartBoundary>
      </div>
      <table className="data-table compact" aria-label={`Platform breakdown in ${currency}`}>
        <thead>
          <tr>
            <th scope="col">Platform</th>
            <th scope="col" className="num">
              Spend
            </th>
            <th scope="col" className="num">
              Revenue
            </th>
            <th scope="col" className="num">
              ROAS
            </th>
            <th scope="col" className="num">
              Conv.
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.platform} data-platform={row.platform}>
              <th scope="row">{PLATFORM_LABELS[row.platform]}</th>
              <td className="num">{formatMoney(row.totals.spendMicros, currency)}</td>
              <td className="num">{formatMoney(row.totals.revenueMicros, currency)}</td>
              <td className="num">{formatRoas(deriveRatios(row.totals).roas)}</td>
              <td className="num">{formatInteger(row.totals.conversions)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
