import { useContext, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { Session } from '@kiki/shared/contract/sync-contract';
import { AppDataContext } from '../../app/app-data-context';
import { useRpcMutation } from '../../lib/use-rpc-mutation';
import { Spinner } from '../../ui/Spinner';
import { useSync } from '../sync/sync-context';
import { describeGrant } from './role-labels';

type SignedIn = Extract<Session, { state: 'signedIn' }>;

/** The header's account corner: "Sign in" when signed out, otherwise who you are and "Sign out". */
export function AccountMenu() {
  const { session } = useSync();
  if (session === null) return null;
  if (session.state === 'signedOut') {
    return (
      <Link to="/sign-in" className="button button-small">
        Sign in
      </Link>
    );
  }
  if (session.state === 'expired') {
    return (
      <Link to="/sign-in" className="button button-small button-warning" title={session.reason}>
        Sign in again
      </Link>
    );
  }
  return <SignedInMenu session={session} />;
}

function SignedInMenu({ session }: { session: SignedIn }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const containerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const closeOnOutsideClick = (event: PointerEvent) => {
      if (!(event.target instanceof Node) || containerRef.current?.contains(event.target) !== true) setOpen(false);
    };
    document.addEventListener('pointerdown', closeOnOutsideClick);
    return () => document.removeEventListener('pointerdown', closeOnOutsideClick);
  }, [open]);

  return (
    <div
      className="account-menu"
      ref={containerRef}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className="account-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="account-avatar" aria-hidden="true">
          {initials(session.user.displayName)}
        </span>
        <span className="account-name">{session.user.displayName}</span>
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div id={menuId} className="account-panel" role="region" aria-label="Your account">
          <AccountDetails session={session} />
          <SignOut serverUrl={session.serverUrl} />
        </div>
      )}
    </div>
  );
}

function AccountDetails({ session }: { session: SignedIn }) {
  const appData = useContext(AppDataContext);
  const clientName = (id: string) => appData?.clientsById.get(id)?.name;
  return (
    <dl className="account-details">
      <dt>Name</dt>
      <dd>{session.user.displayName}</dd>
      <dt>Email</dt>
      <dd>{session.user.email}</dd>
      <dt>Agency</dt>
      <dd>{session.org.name}</dd>
      <dt>{session.roles.length === 1 ? 'Role' : 'Roles'}</dt>
      <dd>
        {session.roles.length === 0 ? (
          'No role yet: ask an agency admin for access'
        ) : (
          <ul className="plain-list">
            {session.roles.map((grant) => (
              <li key={`${grant.role}:${grant.clientIds?.join(',') ?? '*'}`}>{describeGrant(grant, clientName)}</li>
            ))}
          </ul>
        )}
      </dd>
      <dt>Server</dt>
      <dd className="mono">{session.serverUrl}</dd>
    </dl>
  );
}

/**
 * Signing out deletes the synced cache. With edits still waiting core refuses (CONFLICT); discarding them is a
 * second, explicit click that names how many will be lost.
 */
function SignOut({ serverUrl }: { serverUrl: string }) {
  const { status, applySession } = useSync();
  const signOut = useRpcMutation('session.signOut');
  const conflict = signOut.error?.code === 'CONFLICT' ? signOut.error : null;
  const otherError = signOut.error !== null && conflict === null ? signOut.error : null;
  const pending = status?.pendingCount ?? 0;
  const run = async (discardPending: boolean) => {
    const result = await signOut.mutate({ discardPending });
    // Core also sends 'session.changed'; answering here keeps the header right even if that event is missed.
    if (result.ok) applySession({ state: 'signedOut', lastServerUrl: serverUrl });
  };

  return (
    <div className="account-sign-out">
      {conflict !== null && (
        <div className="form-alert" role="alert">
          <p>{conflict.message}</p>
        </div>
      )}
      {otherError !== null && (
        <p className="field-error" role="alert">
          {otherError.message}
        </p>
      )}
      <div className="form-actions">
        {conflict === null ? (
          <button type="button" className="button" disabled={signOut.isPending} onClick={() => void run(false)}>
            {signOut.isPending && <Spinner />}
            Sign out
          </button>
        ) : (
          <>
            <button
              type="button"
              className="button button-danger"
              disabled={signOut.isPending}
              onClick={() => void run(true)}
            >
              {signOut.isPending && <Spinner />}
              {pending === 1 ? 'Sign out and discard 1 change' : `Sign out and discard ${pending} changes`}
            </button>
            <button type="button" className="button button-ghost" onClick={signOut.reset}>
              Keep my changes
            </button>
          </>
        )}
      </div>
    </div>
  );
}

function initials(name: string): string {
  const parts = name
    .trim()
    .split(/\s+/)
    .filter((p) => p !== '');
  const first = parts[0]?.[0] ?? '?';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '';
  return `${first}${last}`.toUpperCase();
}
