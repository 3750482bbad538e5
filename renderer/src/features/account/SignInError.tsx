import { useState } from 'react';
import type { AppErrorShape } from '@kiki/shared/errors';
import { useRpcMutation } from '../../lib/use-rpc-mutation';

/** Extra words for errors whose message alone leaves the next step unclear. */
const SIGN_IN_HINTS: Partial<Record<AppErrorShape['code'], string>> = {
  UNAVAILABLE: 'Check the address and your network connection, then try again.',
  UPDATE_REQUIRED: 'Install the latest KIKI Desktop, then sign in again.',
  ACCOUNT_LOCKED: 'Wait a few minutes or ask an agency admin to unlock the account.',
  ACCOUNT_DISABLED: 'Ask an agency admin to re-enable your account.',
  RATE_LIMITED: 'Wait a minute before trying again.',
};

export function SignInError({ error }: { error: AppErrorShape }) {
  const hint = SIGN_IN_HINTS[error.code];
  return (
    <div className="form-alert" role="alert">
      <p>{error.message}</p>
      {hint !== undefined && <p className="muted">{hint}</p>}
      {error.code === 'CONFLICT' && <DiscardWaitingChanges />}
    </div>
  );
}

/**
 * Core refuses a sign-in that would replace a cache holding unsynced edits (made offline for another agency,
 * or on demo data before any sign-in). When nobody is signed in there is no account menu to sign out from, so
 * the way out is offered here: an explicit second step, never the default.
 */
function DiscardWaitingChanges() {
  const signOut = useRpcMutation('session.signOut');
  const [discarded, setDiscarded] = useState<number | null>(null);
  if (discarded !== null) {
    return (
      <p className="muted" role="status">
        {discarded === 1 ? '1 change was discarded.' : `${discarded} changes were discarded.`} Sign in again.
      </p>
    );
  }
  return (
    <>
      <button
        type="button"
        className="button button-danger"
        disabled={signOut.isPending}
        onClick={() => {
          void signOut.mutate({ discardPending: true }).then((result) => {
            if (result.ok) setDiscarded(result.value.discarded);
          });
        }}
      >
        Discard the waiting changes
      </button>
      {signOut.error !== null && <p className="field-error">{signOut.error.message}</p>}
    </>
  );
}
