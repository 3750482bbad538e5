import { VictoryTheme, type VictoryThemeDefinition } from 'victory';

export const SERIES_COLORS = {
  revenue: '#1f6feb',
  spend: '#e8710a',
} as const;

const axisStyle = {
  axis: { stroke: '#d0d5dd' },
  grid: { stroke: '#eef0f3', strokeDasharray: 'none' },
  ticks: { stroke: 'transparent', size: 0 },
  tickLabels: { fontSize: 11, padding: 6, fill: '#5b6475', fontFamily: 'inherit' },
};

/** Victory's material theme, quieted to match the app: thin grid, muted labels, system font. */
export const chartTheme: VictoryThemeDefinition = {
  ...VictoryTheme.material,
  axis: { ...VictoryTheme.material.axis, style: axisStyle },
  dependentAxis: { ...VictoryTheme.material.dependentAxis, style: axisStyle },
  independentAxis: {
    ...VictoryTheme.material.independentAxis,
    style: { ...axisStyle, grid: { stroke: 'transparent' } },
  },
  legend: {
    ...VictoryTheme.material.legend,
    style: { labels: { fontSize: 12, fill: '#1d2433', fontFamily: 'inherit' }, title: {}, data: { type: 'square' } },
  },
};
