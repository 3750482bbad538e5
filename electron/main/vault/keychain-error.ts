import { AppError } from '@kiki/shared/errors';

/** Why the OS keychain could not be used; the UI picks its wording and help link from this. */
export type KeychainFailure = 'no_secret_service' | 'no_default_keyring' | 'locked' | 'failed';

export type KeychainOperation = 'read' | 'store' | 'delete' | 'list';

const MESSAGES: Readonly<Record<Exclude<KeychainFailure, 'failed'>, string>> = {
  no_secret_service:
    'No system keychain is available, so KIKI Desktop cannot keep your sign-in and ad-platform tokens safely. ' +
    'On Linux, install and start a Secret Service provider (GNOME Keyring or KWallet) in your desktop session, ' +
    'then try again.',
  no_default_keyring:
    'Your system keychain has no default keyring to keep KIKI Desktop tokens in. Open your password manager ' +
    '(GNOME "Passwords and Keys" or KWallet), create a default keyring and unlock it, then try again.',
  locked:
    'Your system keychain is locked, so KIKI Desktop cannot reach your tokens. Unlock it (sign in to your ' +
    'desktop session or unlock the "Login" keyring in your password manager), then try again.',
};

// Messages as libsecret (Linux) and the Security framework (macOS) word them; keytar passes them through.
const PATTERNS: ReadonlyArray<[RegExp, Exclude<KeychainFailure, 'failed'>]> = [
  [/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|Failed to connect to socket/i, 'no_secret_service'],
  [/org\.freedesktop\.secrets was not provided|ServiceUnknown|UnknownMethod.*Secret/i, 'no_secret_service'],
  [/Object does not exist at path .*\/collection\//i, 'no_default_keyring'],
  [/locked collection|is locked|User interaction is not allowed|user name or passphrase|canceled/i, 'locked'],
];

/** Turns a keychain failure into an AppError that says what to do; keytar's own text goes into details. */
export function toKeychainError(error: unknown, operation: KeychainOperation): AppError {
  const cause = error instanceof Error ? error.message : String(error);
  const failure = PATTERNS.find(([pattern]) => pattern.test(cause))?.[1];
  if (failure) return new AppError('UNAVAILABLE', MESSAGES[failure], { failure, operation, cause });
  return new AppError(
    'UNAVAILABLE',
    `The system keychain could not ${operation} a KIKI Desktop secret (${cause}). Try again; if it keeps ` +
      'failing, check that your password manager works and restart KIKI Desktop.',
    { failure: 'failed' satisfies KeychainFailure, operation, cause },
  );
}
