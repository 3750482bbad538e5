import { useContext, useMemo } from 'react';
import { can } from '@kiki/shared/permissions';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import { Link, useParams } from 'react-router';
import { PLATFORM_LABELS } from '@kiki/shared/domain/platform.schema';
import { formatInteger } from '../../lib/format';
import { formatRangeLabel } from '../../lib/date-presets';
import { carriedQuery } from '../../lib/query-state';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { useRpcQuery } from '../../lib/use-rpc-query';
import { useSavedOverlay } from '../../lib/use-saved-overlay';
import type { SaveCopy } from '../../ui/CopyEditForm';
import { Creatives } from '../../ui/Creatives';
import { KpiCards } from '../../ui/KpiCards';
import { LazySpendRevenueChart } from '../../ui/LazySpendRevenueChart';
import { StatusBadge } from '../../ui/StatusBadge';
import { EmptyState, ErrorState, LoadingState } from '../../ui/StateViews';
import { useViewState } from '../filters/use-view-state';
import { SyncContext } from '../sync/sync-context';
import { useLocalEdit } from '../sync/use-local-edit';
import { WaitingToSync } from '../sync/WaitingToSync';
import { DailyTable } from './DailyTable';

export default function AdDetailPage() {
  const { adId = '' } = useParams();
  const { range, params } = useViewState();
  const detail = useRpcQuery('ads.detail', { adId, range });
  const carried = carriedQuery(params);
  const chartPoints = useMemo(
    () =>
      (detail.data?.daily ?? []).map((d) => ({
        bucket: d.date,
        spendMicros: d.spendMicros,
        revenueMicros: d.revenueMicros,
      })),
    [detail.data],
  );
  const sync = useContext(SyncContext);
  const updateCopy = useRpcMutation('adCopies.update');
  const localEdit = useLocalEdit();
  const savedCopies = useSavedOverlay<typeof detail.data, AdCopy>(detail.data);

  if (detail.error !== null) {
    return (
      <div className="page">
        <nav className="breadcrumbs" aria-label="Breadcrumb">
          <ol>
            <li>
              <Link to={`/campaigns${carried}`}>Campaigns</Link>
            </li>
          </ol>
        </nav>
        <ErrorState
          title="Could not open this ad"
          error={detail.error}
          onRetry={detail.refetch}
          retrying={detail.isFetching}
        />
      </div>
    );
  }
  if (detail.data === undefined || detail.data.ad.id !== adId) {
    return (
      <div className="page">
        <LoadingState label="Loading the ad" />
      </div>
    );
  }

  const { ad, campaign, client, deployment, totals, daily, assets } = detail.data;
  const copy = detail.data.copy === null ? null : savedCopies.apply(detail.data.copy);
  const otherCopies = detail.data.copies.filter((c) => c.id !== copy?.id).map(savedCopies.apply);
  const session = sync?.session;
  const mayEdit = session?.state !== 'signedIn' || can(session.roles, 'campaigns.edit', campaign.clientId);
  const saveCopy: SaveCopy = async (target, changes) => {
    const result = await localEdit.run(`copy:${target.id}`, () => updateCopy.mutate({ adCopyId: target.id, changes }));
    // Core's data.changed, sent before this reply, refetches the detail.
    if (result.ok) savedCopies.remember(result.value.copy);
    return result;
  };

  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <ol>
          <li>
            <Link to={`/campaigns${carried}`}>Campaigns</Link>
          </li>
          <li>
            <Link to={`/campaigns/${campaign.id}${carried}`}>{campaign.name}</Link>
          </li>
          <li>
            <span aria-current="page">{ad.name}</span>
          </li>
        </ol>
      </nav>
      <header className="page-header">
        <div>
          <h1 className="page-title">
            {ad.name} <StatusBadge status={ad.status} />
          </h1>
          <p className="page-subtitle">
            {client.name} · {PLATFORM_LABELS[ad.platform]} deployment <StatusBadge status={deployment.status} />
            {ad.externalId !== null && (
              <>
                {' '}
                · ad id <span className="mono">{ad.externalId}</span>
              </>
            )}
          </p>
        </div>
      </header>

      <section className="panel" aria-label={`Totals for ${formatRangeLabel(range)}`} aria-busy={detail.isFetching}>
        <KpiCards currency={campaign.currency} current={totals} />
      </section>

      <section className="panel" aria-labelledby="daily-heading">
        <h2 id="daily-heading" className="section-title">
          Daily performance <span className="count">{formatInteger(daily.length)} days</span>
        </h2>
        {daily.length === 0 ? (
          <EmptyState title="No metrics in this period">
            <p>This ad has no daily numbers between these dates. Choose a longer period.</p>
          </EmptyState>
        ) : (
          <>
            <figure className="chart">
              <LazySpendRevenueChart
                points={chartPoints}
                currency={campaign.currency}
                granularity="day"
                title={`Daily revenue and spend of ${ad.name}`}
                height={220}
              />
            </figure>
            <DailyTable daily={daily} currency={campaign.currency} />
          </>
        )}
      </section>

      <section className="panel">
        <Creatives
          copies={copy === null ? otherCopies : [copy, ...otherCopies]}
          imagePrompts={detail.data.imagePrompts}
          videoPrompts={detail.data.videoPrompts}
          activeCopyId={copy?.id ?? null}
          onSaveCopy={mayEdit ? saveCopy : undefined}
          copyMarker={(c) => localEdit.isWaiting(`copy:${c.id}`) && <WaitingToSync />}
        />
        {assets.length > 0 && (
          <section aria-labelledby="assets-heading">
            <h2 id="assets-heading" className="section-title">
              Your creative files <span className="count">{assets.length}</span>
            </h2>
            <ul className="asset-list">
              {assets.map((asset) => (
                <li key={asset.id}>
                  <span>{asset.fileName}</span>
                  <span className="muted">
                    {asset.mimeType} · {formatInteger(Math.ceil(asset.sizeBytes / 1024))} KB
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
      </section>
    </div>
  );
}
