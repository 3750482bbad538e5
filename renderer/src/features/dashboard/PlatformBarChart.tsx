import { VictoryAxis, VictoryBar, VictoryChart, VictoryGroup } from 'victory';
import { MICROS_PER_UNIT } from '@kiki/shared/money';
import type { MetricTotals } from '@kiki/shared/domain/metrics.schema';
import { PLATFORM_LABELS, type Platform } from '@kiki/shared/domain/platform.schema';
import { formatCompactMoney } from '../../lib/format';
import { chartTheme, SERIES_COLORS } from '../../ui/chart-theme';
import { SeriesLegend } from '../../ui/SeriesLegend';

interface Props {
  currency: string;
  rows: readonly { platform: Platform; totals: MetricTotals }[];
}

/** Grouped horizontal bars of revenue and spend per platform (loaded on demand with Victory). */
export default function PlatformBarChart({ currency, rows }: Props) {
  const data = rows.map((row) => ({
    // Not `label`: Victory would print a field of that name on every bar.
    platformName: PLATFORM_LABELS[row.platform],
    spend: row.totals.spendMicros / MICROS_PER_UNIT,
    revenue: row.totals.revenueMicros / MICROS_PER_UNIT,
  }));
  return (
    <>
      <SeriesLegend />
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
    </>
  );
}
