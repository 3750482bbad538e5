import { useMemo } from 'react';
import type { Granularity } from '@kiki/shared/contract/rpc-contract';
import { useAppData } from '../../app/app-data-context';
import { formatRangeLabel } from '../../lib/date-presets';
import { readGranularity } from '../../lib/query-state';
import { useRpcQuery } from '../../lib/use-rpc-query';
import { KpiCards } from '../../ui/KpiCards';
import { LazySpendRevenueChart } from '../../ui/LazySpendRevenueChart';
import { EmptyState, ErrorState, LoadingState, NoDataYet } from '../../ui/StateViews';
import { useViewState } from '../filters/use-view-state';
import { PlatformBreakdown } from './PlatformBreakdown';

const GRANULARITIES: { value: Granularity; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'week', label: 'Week' },
  { value: 'month', label: 'Month' },
];

export default function DashboardPage() {
  const { isEmpty } = useAppData();
  const { clientId, client, range, params, update } = useViewState();
  const granularity = readGranularity(params);
  const enabled = !isEmpty;
  const summary = useRpcQuery('dashboard.summary', { clientId, range }, { enabled });
  const trend = useRpcQuery('dashboard.trend', { clientId, range, granularity }, { enabled });
  const breakdown = useRpcQuery('dashboard.platformBreakdown', { clientId, range }, { enabled });

  const breakdownRows = breakdown.data?.rows;
  const breakdownByCurrency = useMemo(() => {
    const groups = new Map<string, NonNullable<typeof breakdownRows>>();
    for (const row of breakdownRows ?? []) groups.set(row.currency, [...(groups.get(row.currency) ?? []), row]);
    return [...groups.entries()];
  }, [breakdownRows]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Dashboard</h1>
          <p className="page-subtitle">
            {client?.name ?? 'All clients'} · {formatRangeLabel(range)}
          </p>
        </div>
      </header>

      {isEmpty ? (
        <NoDataYet />
      ) : (
        <>
          <section className="panel" aria-labelledby="kpi-heading" aria-busy={summary.isFetching}>
            <h2 id="kpi-heading" className="visually-hidden">
              Key figures
            </h2>
            {summary.error !== null ? (
              <ErrorState
                title="Could not load the key figures"
                error={summary.error}
                onRetry={summary.refetch}
                retrying={summary.isFetching}
              />
            ) : summary.data === undefined ? (
              <LoadingState label="Loading key figures" />
            ) : summary.data.byCurrency.length === 0 ? (
              <EmptyState title="No performance in this period">
                <p>Nothing was spent or earned between these dates. Pick a longer period or another client.</p>
              </EmptyState>
            ) : (
              <div className="kpi-groups">
                {summary.data.byCurrency.map((group) => (
                  <KpiCards
                    key={group.currency}
                    currency={group.currency}
                    current={group.current}
                    previous={group.previous}
                    heading={summary.data!.byCurrency.length > 1 ? `In ${group.currency}` : undefined}
                  />
                ))}
                <p className="footnote">
                  Compared with {formatRangeLabel(summary.data.previousRange)}.
                  {summary.data.byCurrency.length > 1 && ' Totals are kept per currency; they are never converted.'}
                </p>
              </div>
            )}
          </section>

          <div className="panel-grid">
            <section className="panel panel-wide" aria-labelledby="trend-heading" aria-busy={trend.isFetching}>
              <div className="panel-header">
                <h2 id="trend-heading" className="section-title">
                  Revenue and spend
                </h2>
                <div className="segmented" role="group" aria-label="Group the trend by">
                  {GRANULARITIES.map((option) => (
                    <button
                      key={option.value}
                      type="button"
                      className="segmented-button"
                      aria-pressed={granularity === option.value}
                      onClick={() => update({ granularity: option.value }, { replace: true })}
                    >
                      {option.label}
                    </button>
                  ))}
                </div>
              </div>
              {trend.error !== null ? (
                <ErrorState
                  title="Could not load the trend"
                  error={trend.error}
                  onRetry={trend.refetch}
                  retrying={trend.isFetching}
                />
              ) : trend.data === undefined ? (
                <LoadingState label="Loading the trend" />
              ) : trend.data.series.length === 0 ? (
                <EmptyState title="No trend to draw">
                  <p>There are no metrics in this period.</p>
                </EmptyState>
              ) : (
                trend.data.series.map((series) => (
                  <figure key={series.currency} className="chart" data-currency={series.currency}>
                    {trend.data!.series.length > 1 && (
                      <figcaption className="chart-caption">{series.currency}</figcaption>
                    )}
                    <LazySpendRevenueChart
                      points={series.points}
                      currency={series.currency}
                      granularity={trend.data!.granularity}
                      title={`Revenue and spend by ${trend.data!.granularity} in ${series.currency}`}
                    />
                    <p className="visually-hidden" data-testid="trend-points">
                      {series.points.length} {trend.data!.granularity} points
                    </p>
                  </figure>
                ))
              )}
            </section>

            <section className="panel" aria-labelledby="platform-heading" aria-busy={breakdown.isFetching}>
              <h2 id="platform-heading" className="section-title">
                By platform
              </h2>
              {breakdown.error !== null ? (
                <ErrorState
                  title="Could not load the platform breakdown"
                  error={breakdown.error}
                  onRetry={breakdown.refetch}
                  retrying={breakdown.isFetching}
                />
              ) : breakdown.data === undefined ? (
                <LoadingState label="Loading platforms" />
              ) : breakdownByCurrency.length === 0 ? (
                <EmptyState title="No platform activity">
                  <p>No ad platform spent anything in this period.</p>
                </EmptyState>
              ) : (
                breakdownByCurrency.map(([currency, rows]) => (
                  <div key={currency} className="breakdown-group" data-currency={currency}>
                    {breakdownByCurrency.length > 1 && <h3 className="subsection-title">{currency}</h3>}
                    <PlatformBreakdown currency={currency} rows={rows} />
                  </div>
                ))
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
