import { useContext, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { can } from '@kiki/shared/permissions';
import type { Campaign } from '@kiki/shared/domain/campaign.schema';
import type { AdCopy } from '@kiki/shared/domain/creative.schema';
import { OBJECTIVE_LABELS } from '../../lib/labels';
import { formatRangeLabel } from '../../lib/date-presets';
import { deriveRatios } from '@kiki/shared/domain/metrics.schema';
import { PLATFORM_LABELS } from '@kiki/shared/domain/platform.schema';
import { formatInteger, formatMoney, formatRoas } from '../../lib/format';
import { carriedQuery } from '../../lib/query-state';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { useRpcQuery } from '../../lib/use-rpc-query';
import { useSavedOverlay } from '../../lib/use-saved-overlay';
import { Creatives } from '../../ui/Creatives';
import { KpiCards } from '../../ui/KpiCards';
import { StatusBadge } from '../../ui/StatusBadge';
import { ErrorState, LoadingState } from '../../ui/StateViews';
import type { SaveCopy } from '../../ui/CopyEditForm';
import { useViewState } from '../filters/use-view-state';
import { SyncContext } from '../sync/sync-context';
import { useLocalEdit } from '../sync/use-local-edit';
import { WaitingToSync } from '../sync/WaitingToSync';
import { CampaignEditForm } from './CampaignEditForm';
import type { CampaignChanges } from './campaign-edit';

export default function CampaignDetailPage() {
  const { campaignId = '' } = useParams();
  const { range, params } = useViewState();
  const detail = useRpcQuery('campaigns.detail', { campaignId, range });
  const carried = carriedQuery(params);
  const sync = useContext(SyncContext);
  const updateCampaign = useRpcMutation('campaigns.update');
  const updateCopy = useRpcMutation('adCopies.update');
  const localEdit = useLocalEdit();
  const savedCampaign = useSavedOverlay<typeof detail.data, Campaign>(detail.data);
  const savedCopies = useSavedOverlay<typeof detail.data, AdCopy>(detail.data);
  const [editing, setEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);

  if (detail.error !== null) {
    return (
      <div className="page">
        <Breadcrumbs carried={carried} />
        <ErrorState
          title="Could not open this campaign"
          error={detail.error}
          onRetry={detail.refetch}
          retrying={detail.isFetching}
        />
      </div>
    );
  }
  if (detail.data === undefined || detail.data.campaign.id !== campaignId) {
    return (
      <div className="page">
        <Breadcrumbs carried={carried} />
        <LoadingState label="Loading the campaign" />
      </div>
    );
  }

  const { client, totals, deployments, ads } = detail.data;
  const campaign = savedCampaign.apply(detail.data.campaign);
  const copies = detail.data.copies.map(savedCopies.apply);
  // Signed in: only people whose role may edit this client's campaigns see Edit; the server checks again.
  // Signed out: the cache is this computer's own, and edits wait for a sign-in.
  const session = sync?.session;
  const mayEdit = session?.state !== 'signedIn' || can(session.roles, 'campaigns.edit', campaign.clientId);

  const saveCampaign = async (changes: CampaignChanges) => {
    const result = await localEdit.run(`campaign:${campaign.id}`, () =>
      updateCampaign.mutate({ campaignId: campaign.id, changes }),
    );
    // Core's data.changed, sent before this reply, refetches the detail.
    if (result.ok) savedCampaign.remember(result.value.campaign);
    return result;
  };
  const saveCopy: SaveCopy = async (copy, changes) => {
    const result = await localEdit.run(`copy:${copy.id}`, () => updateCopy.mutate({ adCopyId: copy.id, changes }));
    if (result.ok) savedCopies.remember(result.value.copy);
    return result;
  };

  return (
    <div className="page">
      <Breadcrumbs carried={carried} current={campaign.name} />
      <header className="page-header">
        <div>
          <h1 className="page-title">
            {campaign.name} <StatusBadge status={campaign.status} />
            {localEdit.isWaiting(`campaign:${campaign.id}`) && <WaitingToSync />}
          </h1>
          <p className="page-subtitle">
            {client.name} · {OBJECTIVE_LABELS[campaign.objective]} ·{' '}
            <span data-testid="campaign-budget">
              {formatMoney(campaign.budgetMicros, campaign.currency)}
              {campaign.budgetType === 'daily' ? ' per day' : ' lifetime'}
            </span>{' '}
            · {campaign.startDate} to {campaign.endDate ?? 'open end'}
          </p>
        </div>
        {mayEdit && !editing && (
          <button ref={editButton} type="button" className="button" onClick={() => setEditing(true)}>
            Edit campaign
          </button>
        )}
      </header>

      {editing && (
        <section className="panel" aria-label="Edit campaign">
          <CampaignEditForm
            campaign={campaign}
            onSave={saveCampaign}
            onClose={() => {
              setEditing(false);
              requestAnimationFrame(() => editButton.current?.focus());
            }}
          />
        </section>
      )}

      <section className="panel" aria-label={`Totals for ${formatRangeLabel(range)}`} aria-busy={detail.isFetching}>
        <KpiCards currency={campaign.currency} current={totals} />
      </section>

      <section className="panel" aria-labelledby="deployments-heading">
        <h2 id="deployments-heading" className="section-title">
          Platform deployments <span className="count">{deployments.length}</span>
        </h2>
        {deployments.length === 0 ? (
          <p className="muted">This campaign has not been deployed to any platform yet.</p>
        ) : (
          <table className="data-table compact" aria-label="Platform deployments">
            <thead>
              <tr>
                <th scope="col">Platform</th>
                <th scope="col">Status</th>
                <th scope="col">External id</th>
                <th scope="col">Deployed</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {deployments.map((d) => (
                <tr key={d.id}>
                  <th scope="row">{PLATFORM_LABELS[d.platform]}</th>
                  <td>
                    <StatusBadge status={d.status} />
                  </td>
                  <td className="mono">{d.externalId ?? '—'}</td>
                  <td>{d.deployedAt?.slice(0, 10) ?? '—'}</td>
                  <td className={d.lastError === null ? 'muted' : 'text-danger'}>{d.lastError ?? 'None'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel" aria-labelledby="ads-heading">
        <h2 id="ads-heading" className="section-title">
          Ads <span className="count">{ads.length}</span>
        </h2>
        {ads.length === 0 ? (
          <p className="muted">No ads in this campaign yet.</p>
        ) : (
          <table className="data-table" aria-label="Ads">
            <thead>
              <tr>
                <th scope="col">Ad</th>
                <th scope="col">Platform</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Impr.
                </th>
                <th scope="col" className="num">
                  Clicks
                </th>
                <th scope="col" className="num">
                  Spend
                </th>
                <th scope="col" className="num">
                  Conv.
                </th>
                <th scope="col" className="num">
                  Revenue
                </th>
                <th scope="col" className="num">
                  ROAS
                </th>
              </tr>
            </thead>
            <tbody>
              {ads.map(({ ad, totals: t }) => (
                <tr key={ad.id} data-ad-id={ad.id}>
                  <th scope="row">
                    <Link className="row-link" to={`/ads/${ad.id}${carried}`}>
                      {ad.name}
                    </Link>
                  </th>
                  <td>{PLATFORM_LABELS[ad.platform]}</td>
                  <td>
                    <StatusBadge status={ad.status} />
                  </td>
                  <td className="num">{formatInteger(t.impressions)}</td>
                  <td className="num">{formatInteger(t.clicks)}</td>
                  <td className="num">{formatMoney(t.spendMicros, campaign.currency)}</td>
                  <td className="num">{formatInteger(t.conversions)}</td>
                  <td className="num">{formatMoney(t.revenueMicros, campaign.currency)}</td>
                  <td className="num">{formatRoas(deriveRatios(t).roas)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel">
        <Creatives
          copies={copies}
          imagePrompts={detail.data.imagePrompts}
          videoPrompts={detail.data.videoPrompts}
          onSaveCopy={mayEdit ? saveCopy : undefined}
          copyMarker={(copy) => localEdit.isWaiting(`copy:${copy.id}`) && <WaitingToSync />}
        />
      </section>
    </div>
  );
}

function Breadcrumbs({ carried, current }: { carried: string; current?: string }) {
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        <li>
          <Link to={`/campaigns${carried}`}>Campaigns</Link>
        </li>
        {current !== undefined && (
          <li>
            <span aria-current="page">{current}</span>
          </li>
        )}
      </ol>
    </nav>
  );
}
