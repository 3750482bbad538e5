import { Link } from 'react-router';
import { useNow } from '../../lib/use-now';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { useSync } from './sync-context';
import { CONNECTION_LABELS, issuesLabel, lastSyncedLabel, pendingLabel, retryLabel } from './sync-labels';

/** Always in the header: connection, waiting edits, last sync, the last error, "Sync now" and open issues. */
export function SyncStatusIndicator() {
  const { status, error, applyStatus } = useSync();
  // Every second, so the retry countdown and "Synced … ago" never lag what core reported.
  const now = useNow(1_000);
  const syncNow = useRpcMutation('sync.now');

  if (status === null) {
    return (
      <div className="sync-status" role="status" aria-label="Sync status" aria-live="polite">
        <span className="sync-dot sync-dot-unknown" aria-hidden="true" />
        {/* The page itself explains a failure to reach core; the header only says sync is not known. */}
        <span className="muted" title={error?.message}>
          {error === null ? 'Checking sync…' : 'Sync status unavailable'}
        </span>
      </div>
    );
  }

  const connection =
    status.syncing && status.connection === 'online' ? 'Syncing…' : CONNECTION_LABELS[status.connection];
  const synced = lastSyncedLabel(status, now);
  const retry = retryLabel(status, now);
  const signedOut = status.connection === 'signedOut';

  const runSyncNow = async () => {
    const result = await syncNow.mutate({});
    if (result.ok) applyStatus(result.value);
  };

  return (
    <div className="sync-status">
      <div className="sync-status-live" role="status" aria-label="Sync status" aria-live="polite">
        <span className={`sync-dot sync-dot-${status.connection}`} aria-hidden="true" />
        <span className="sync-connection">{connection}</span>
        {status.pendingCount > 0 && <span className="sync-pending">{pendingLabel(status.pendingCount)}</span>}
        {/* Core's last sync error has its own bar under the header (SyncErrorBanner); this is a failed click. */}
        {syncNow.error !== null && (
          <span className="sync-error" title={syncNow.error.message}>
            {syncNow.error.message}
          </span>
        )}
      </div>
      {(synced !== null || retry !== null) && (
        <span className="sync-time muted">
          {synced}
          {synced !== null && retry !== null && ' · '}
          {retry}
        </span>
      )}
      {!signedOut && (
        <button
          type="button"
          className="button button-small"
          onClick={() => void runSyncNow()}
          disabled={syncNow.isPending || status.syncing}
          aria-busy={syncNow.isPending}
        >
          {syncNow.isPending ? 'Syncing…' : 'Sync now'}
        </button>
      )}
      {status.issueCount > 0 && (
        <Link to="/sync/issues" className="sync-issues-badge">
          {issuesLabel(status.issueCount)}
        </Link>
      )}
    </div>
  );
}
