import { VictoryAxis, VictoryBar, VictoryChart, VictoryGroup } from 'victory';
import { MICROS_PER_UNIT } from '@kiki/shared/money';
import { deriveRatios, type MetricTotals } from '@kiki/shared/domain/metrics.schema';
import { PLATFORM_LABELS, type Platform } from '@kiki/shared/domain/platform.schema';
import { formatCompactMoney, formatInteger, formatMoney, formatRoas } from '../../lib/format';
import { ChartBoundary } from '../../ui/ChartBoundary';
import { chartTheme, SERIES_COLORS } from '../../ui/chart-theme';
import { SeriesLegend } from '../../ui/SeriesLegend';

interface Props {
  currency: string;
  rows: readonly { platform: Platform; totals: MetricTotals }[];
}

/** Spend and revenue per ad platform for one currency: a grouped bar chart with the exact figures beside it. */
export function PlatformBreakdown({ currency, rows }: Props) {
  const data = rows.map((row) => ({
    // Not `label`: Victory would print a field of that name on every bar.
    platformName: PLATFORM_LABELS[row.platform],
    spend: row.totals.spendMicros / MICROS_PER_UNIT,
    revenue: row.totals.revenueMicros / MICROS_PER_UNIT,
  }));
  return (
    <div className="breakdown">
      <div className="breakdown-chart">
        <SeriesLegend />
        <ChartBoundary>
          <VictoryChart
            theme={chartTheme}
            horizontal
            height={Math.max(130, 44 + rows.length * 46)}
            width={420}
            padding={{ top: 8, right: 24, bottom: 36, left: 90 }}
            domainPadding={{ x: 18 }}
          >
            <VictoryAxis />
            <VictoryAxis
              dependentAxis
              tickCount={4}
              tickFormat={(t: number) => formatCompactMoney(Math.round(t * MICROS_PER_UNIT), currency)}
            />
            <VictoryGroup offset={14}>
              <VictoryBar
                data={data}
                x="platformName"
                y="revenue"
                barWidth={12}
                style={{ data: { fill: SERIES_COLORS.revenue } }}
              />
              <VictoryBar
                data={data}
                x="platformName"
                y="spend"
                barWidth={12}
                style={{ data: { fill: SERIES_COLORS.spend } }}
              />
            </VictoryGroup>
          </VictoryChart>
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
