import { useMemo } from 'react';
import {
  VictoryAxis,
  VictoryChart,
  VictoryLine,
  VictoryScatter,
  VictoryTooltip,
  VictoryVoronoiContainer,
} from 'victory';
import { evenTicks, formatBucket, toSpendRevenueSeries, type MoneyPoint } from '../lib/chart-series';
import { formatCompactMoney, formatMoney } from '../lib/format';
import { MICROS_PER_UNIT } from '@kiki/shared/money';
import { chartTheme, SERIES_COLORS } from './chart-theme';
import { SeriesLegend } from './SeriesLegend';

interface Props {
  points: readonly MoneyPoint[];
  currency: string;
  granularity: 'day' | 'week' | 'month';
  /** Accessible name of the chart. */
  title: string;
  height?: number;
}

/** Revenue and spend over time for one currency (lines; dots when there are few points). */
export function SpendRevenueChart({ points, currency, granularity, title, height = 240 }: Props) {
  const series = useMemo(() => toSpendRevenueSeries(points), [points]);
  const showDots = series.spend.length <= 45;
  const ticks = useMemo(
    () =>
      evenTicks(
        series.spend.map((p) => p.x),
        7,
      ),
    [series],
  );
  const tooltip = (datum: { x: number; y: number; childName?: string }) =>
    `${formatBucket(datum.x, granularity)}\n${datum.childName === 'revenue' ? 'Revenue' : 'Spend'}: ${formatMoney(
      Math.round(datum.y * MICROS_PER_UNIT),
      currency,
    )}`;

  return (
    <>
      <SeriesLegend />
      <VictoryChart
        theme={chartTheme}
        height={height}
        width={1100}
        padding={{ top: 12, right: 24, bottom: 40, left: 72 }}
        scale={{ x: 'time' }}
        domainPadding={{ y: [0, 12], x: 8 }}
        containerComponent={
          <VictoryVoronoiContainer
            title={title}
            desc={`Revenue and spend in ${currency} by ${granularity}, ${points.length} points.`}
            voronoiBlacklist={['revenue-dots', 'spend-dots']}
            labels={({ datum }: { datum: { x: number; y: number; childName?: string } }) => tooltip(datum)}
            labelComponent={
              <VictoryTooltip
                cornerRadius={4}
                flyoutStyle={{ fill: '#ffffff', stroke: '#d0d5dd' }}
                style={{ fontSize: 11, fill: '#1d2433' }}
              />
            }
          />
        }
      >
        <VictoryAxis tickValues={ticks} tickFormat={(t: number) => formatBucket(t, granularity)} />
        <VictoryAxis
          dependentAxis
          tickFormat={(t: number) => formatCompactMoney(Math.round(t * MICROS_PER_UNIT), currency)}
        />
        <VictoryLine
          name="revenue"
          data={series.revenue}
          style={{ data: { stroke: SERIES_COLORS.revenue, strokeWidth: 2 } }}
        />
        <VictoryLine
          name="spend"
          data={series.spend}
          style={{ data: { stroke: SERIES_COLORS.spend, strokeWidth: 2 } }}
        />
        {/* Victory walks its children and cannot skip `false`, so optional series are spread from an array. */}
        {...showDots
          ? [
              <VictoryScatter
                key="revenue-dots"
                name="revenue-dots"
                data={series.revenue}
                size={2.5}
                style={{ data: { fill: SERIES_COLORS.revenue } }}
              />,
              <VictoryScatter
                key="spend-dots"
                name="spend-dots"
                data={series.spend}
                size={2.5}
                style={{ data: { fill: SERIES_COLORS.spend } }}
              />,
            ]
          : []}
      </VictoryChart>
    </>
  );
}
