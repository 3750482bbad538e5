import { useContext, type ReactNode } from 'react';
import { Link } from 'react-router';
import { SyncContext } from '../features/sync/sync-context';
import type { AppErrorShape } from '@kiki/shared/errors';

export function LoadingState({ label }: { label: string }) {
  return (
    <div className="state-panel state-loading" role="status" aria-live="polite" aria-busy="true">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

const ERROR_HINTS: Partial<Record<AppErrorShape['code'], string>> = {
  NOT_FOUND: 'If a teammate created it moments ago, it may not have synced to this computer yet; retry shortly.',
  UNAVAILABLE: 'KIKI core may be restarting.',
  VALIDATION_FAILED: 'The address contains something KIKI cannot read.',
};

export function ErrorState({
  title,
  error,
  onRetry,
  retrying = false,
}: {
  title: string;
  error: AppErrorShape;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  const hint = ERROR_HINTS[error.code];
  return (
    <div className="state-panel state-error" role="alert">
      <h2 className="state-title">{title}</h2>
      <p className="state-text">{error.message}</p>
      {hint !== undefined && <p className="state-hint">{hint}</p>}
      {onRetry !== undefined && (
        <button type="button" className="button button-primary" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="state-panel state-empty">
      <h2 className="state-title">{title}</h2>
      <div className="state-text">{children}</div>
    </div>
  );
}

/**
 * What every data page shows when the local cache has no campaigns yet. Signed in, that means the agency has
 * none this account may see; signed out, the way in is signing in.
 */
export function NoDataYet() {
  const session = useContext(SyncContext)?.session;
  const signedInTo = session?.state === 'signedIn' ? session.org.name : null;
  return (
    <div className="panel">
      <EmptyState title="No data yet">
        {signedInTo !== null ? (
          <p>
            {signedInTo} has no campaigns you can see yet. When a teammate adds one or an admin gives you access to a
            client, it appears here by itself.
          </p>
        ) : (
          <>
            <p>This computer has no campaigns or performance data yet.</p>
            <p>
              <Link to="/sign-in">Sign in to your agency&apos;s team server</Link> to sync your campaigns, or connect a
              Meta, Google Ads or TikTok account. To explore KIKI first, start it with demo data (
              <code>npm run start:web</code>).
            </p>
          </>
        )}
      </EmptyState>
    </div>
  );
}
