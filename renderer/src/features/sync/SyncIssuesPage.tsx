import type { SyncIssue } from '@kiki/shared/contract/sync-contract';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { useRpcQuery } from '../../lib/use-rpc-query';
import { EmptyState, ErrorState, LoadingState } from '../../ui/StateViews';
import { Spinner } from '../../ui/Spinner';

const ENTITY_WORDS: Readonly<Record<SyncIssue['entity']['type'], string>> = {
  campaign: 'Campaign',
  adCopy: 'Ad copy',
};

/** Conflicts to decide and changes the server refused, newest first. */
export default function SyncIssuesPage() {
  const issues = useRpcQuery('sync.issues', {});
  const resolve = useRpcMutation('sync.resolveIssue');
  const { refetch } = issues;

  // New and resolved issues come with core's data.changed, which refetches the list; the refetch after a choice
  // covers a host that sends no events.
  const choose = async (mutationId: number, choice: 'mine' | 'theirs') => {
    const result = await resolve.mutate({ mutationId, choice });
    if (result.ok) refetch();
  };

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Sync issues</h1>
          <p className="page-subtitle">
            Changes of yours the team server could not take as they were. Decide each conflict; refused changes are
            listed so you know what was undone.
          </p>
        </div>
      </header>
      {issues.error !== null ? (
        <ErrorState
          title="Could not list sync issues"
          error={issues.error}
          onRetry={refetch}
          retrying={issues.isFetching}
        />
      ) : issues.data === undefined ? (
        <LoadingState label="Loading sync issues" />
      ) : issues.data.issues.length === 0 ? (
        <div className="panel">
          <EmptyState title="No sync issues">
            <p>Every change you made was accepted by the team server.</p>
          </EmptyState>
        </div>
      ) : (
        <>
          {resolve.error !== null && (
            <p className="form-alert" role="alert">
              {resolve.error.message}
            </p>
          )}
          <ul className="issue-list" aria-label="Sync issues">
            {issues.data.issues.map((issue) => (
              <IssueCard
                key={issue.mutationId}
                issue={issue}
                busy={resolve.isPending}
                onChoose={(choice) => void choose(issue.mutationId, choice)}
              />
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function IssueCard({
  issue,
  busy,
  onChoose,
}: {
  issue: SyncIssue;
  busy: boolean;
  onChoose: (choice: 'mine' | 'theirs') => void;
}) {
  const headingId = `issue-${issue.mutationId}`;
  const when = new Date(issue.at).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <li className={`panel issue-card issue-${issue.kind}`} aria-labelledby={headingId}>
      <div className="issue-head">
        <h2 id={headingId} className="section-title">
          {issue.summary}
        </h2>
        <span className={`badge ${issue.kind === 'conflict' ? 'badge-deploying' : 'badge-rejected'}`}>
          {issue.kind === 'conflict' ? 'Conflict' : 'Refused'}
        </span>
      </div>
      <p className="muted">
        {ENTITY_WORDS[issue.entity.type]} “{issue.entity.label}” · <time dateTime={issue.at}>{when}</time>
      </p>
      {issue.kind === 'conflict' ? (
        <>
          <p>{issue.error.message}</p>
          <dl className="issue-values">
            <div>
              <dt>Yours</dt>
              <dd>{issue.yours ?? '—'}</dd>
            </div>
            <div>
              <dt>Theirs</dt>
              <dd>{issue.theirs ?? '—'}</dd>
            </div>
          </dl>
          <div className="form-actions">
            <button type="button" className="button button-primary" disabled={busy} onClick={() => onChoose('mine')}>
              {busy && <Spinner />}
              Keep mine
            </button>
            <button type="button" className="button" disabled={busy} onClick={() => onChoose('theirs')}>
              Keep theirs
            </button>
          </div>
        </>
      ) : (
        <>
          <p>
            <strong>Why:</strong> {issue.error.message}
          </p>
          <p className="muted">
            Your change{issue.yours === null ? '' : ` (${issue.yours})`} was undone; this computer shows the
            server&apos;s value{issue.theirs === null ? '' : ` (${issue.theirs})`} again.
          </p>
          <div className="form-actions">
            <button type="button" className="button" disabled={busy} onClick={() => onChoose('theirs')}>
              Dismiss
            </button>
          </div>
        </>
      )}
    </li>
  );
}
