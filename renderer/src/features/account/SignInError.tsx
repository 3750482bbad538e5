import type { AppErrorShape } from '@kiki/shared/errors';

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
    </div>
  );
}
