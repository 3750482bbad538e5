import { useSync } from './sync-context';

/** Next to something just edited: the change is saved here and not yet on the team server. */
export function WaitingToSync() {
  const { status } = useSync();
  const signedOut = status?.connection === 'signedOut';
  return (
    <span className="badge badge-waiting" title={signedOut ? 'Sign in to a team server to sync it' : undefined}>
      {signedOut ? 'Saved here · sign in to sync' : 'Waiting to sync'}
    </span>
  );
}
