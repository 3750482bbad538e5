import { lazy, Suspense, type ComponentProps } from 'react';
import { ChartBoundary } from './ChartBoundary';

// Victory is the heaviest module in the app; figures render first and the chart follows when it has loaded.
const SpendRevenueChart = lazy(() => import('./SpendRevenueChart').then((m) => ({ default: m.SpendRevenueChart })));

type Props = ComponentProps<typeof SpendRevenueChart>;

export function LazySpendRevenueChart(props: Props) {
  return (
    <ChartBoundary>
      <Suspense
        fallback={<div className="chart-placeholder" style={{ height: props.height ?? 240 }} aria-hidden="true" />}
      >
        <SpendRevenueChart {...props} />
      </Suspense>
    </ChartBoundary>
  );
}
