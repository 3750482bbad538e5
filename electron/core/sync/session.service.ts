import type { Database as Sqlite } from 'better-sqlite3';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import type { Session } from '@kiki/shared/contract/sync-contract';
import { syncRefreshTokenKey } from '@kiki/shared/vault/vault-key.schema';
import { countPending, discardPending as discardOutbox } from './outbox.repository';
import { resetSyncedData } from './sync-reset';
import { clearIdentity, getSyncState, saveSignedInIdentity } from './sync-state.repository';
import {
  createSyncApiClient,
  isAccessDenied,
  type MeResponse,
  type SyncApiClient,
  type SyncApiClientOptions,
  type Tokens,
} from './sync-api.client';
import type { TokenVault } from './token-vault';

type SignedInSession = Extract<Session, { state: 'signedIn' }>;

export type SignInResult =
  { step: 'done'; session: SignedInSession } | { step: 'mfa'; expiresAt: string } | { step: 'mfaEnrollmentRequired' };

export interface SessionServiceDeps {
  sqlite: Sqlite;
  /** Absent: sign-in refuses with a clear message (nowhere safe to keep the refresh token). */
  vault: TokenVault | null;
  now: () => Date;
  fetch?: typeof fetch;
  /** Called with every session change, for the 'session.changed' event. */
  onChange: (session: Session) => void;
}

export interface SessionService {
  get(): Session;
  signIn(input: { serverUrl: string; email: string; password: string }): Promise<SignInResult>;
  verifyMfa(input: { code?: string | undefined; recoveryCode?: string | undefined }): Promise<SignedInSession>;
  signOut(input: { discardPending: boolean }): Promise<{ discarded: number }>;
  /**
   * On start: signed in when sync_state names a user. The vault is read by the first request (the refresh), which
   * expires the session if the token is gone or the keychain is locked.
   */
  resume(): Session;
  /** The API client of the signed-in server, or null. */
  api(): SyncApiClient | null;
  /** A valid access token, refreshing (once, shared by every caller) when it is missing or about to expire. */
  accessToken(): Promise<string>;
  /** The server refused `staleToken`: a fresh one, refreshing only if nobody has replaced it meanwhile. */
  renewAccess(staleToken: string): Promise<string>;
  /** Runs `call` with an access token; when the server says the token is no good, refreshes once and retries. */
  withAccess<T>(call: (accessToken: string) => Promise<T>): Promise<T>;
}

/** Refresh a little before expiry so a request never leaves with a token that dies in flight. */
const REFRESH_MARGIN_MS = 30_000;
const LOGOUT_TIMEOUT_MS = 5_000;

const SESSION_REFUSED_CODES = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'TOKEN_REUSED', 'ACCOUNT_DISABLED']);

interface MfaChallenge {
  api: SyncApiClient;
  challengeToken: string;
  expiresAt: Date;
}

/**
 * Who is signed in to which team server. The refresh token lives only in the vault (OS keychain) and the access
 * token only in this closure: neither is ever written to SQLite, returned over RPC or put in an event.
 */
export function createSessionService(deps: SessionServiceDeps): SessionService {
  const { sqlite, vault, now } = deps;
  const apiOptions = (serverUrl: string): SyncApiClientOptions =>
    deps.fetch ? { serverUrl, fetch: deps.fetch } : { serverUrl };

  let session: Session = { state: 'signedOut', lastServerUrl: null };
  let client: SyncApiClient | null = null;
  let access: { token: string; expiresAt: number } | null = null;
  let refreshing: Promise<string> | null = null;
  let challenge: MfaChallenge | null = null;

  const setSession = (next: Session) => {
    session = next;
    deps.onChange(next);
  };

  function requireVault(): TokenVault {
    if (vault === null) {
      throw new AppError(
        'UNAVAILABLE',
        'This build of KIKI Desktop has no keychain to keep your sign-in safely, so it cannot sign in to a ' +
          'team server. Use the installed app.',
      );
    }
    return vault;
  }

  function signedInFromState(): SignedInSession | null {
    const state = getSyncState(sqlite);
    if (state.userId === null || state.orgId === null || state.serverUrl === null) return null;
    return {
      state: 'signedIn',
      serverUrl: state.serverUrl,
      user: { id: state.userId, email: state.userEmail ?? '', displayName: state.userDisplayName ?? '' },
      org: { id: state.orgId, name: state.orgName ?? '' },
      roles: state.roles,
    };
  }

  /** Tokens in hand: check the agency, store the refresh token, load who we are, and save the identity. */
  async function completeSignIn(api: SyncApiClient, tokens: Tokens): Promise<SignedInSession> {
    const tokenVault = requireVault();
    // A refresh of the previous session still on the wire must land (or fail) before identities change.
    await refreshing?.catch(() => undefined);
    const state = getSyncState(sqlite);
    const cachedOrg = state.orgId;
    const cachedData = cachedOrg !== null || hasCachedClients();
    // Another person, even in the same agency: their queued edits must not go up under this user's name, and
    // their cursor, rows and sync issues are theirs.
    const otherAccount =
      cachedData && (cachedOrg !== tokens.user.orgId || (state.userId !== null && state.userId !== tokens.user.id));
    if (otherAccount) {
      const pending = countPending(sqlite);
      if (pending > 0) {
        // The server session we just opened must not outlive the refusal.
        await bestEffortLogout(api, tokens.accessToken);
        throw new AppError(
          'CONFLICT',
          `${pending} unsynced change${pending === 1 ? ' was' : 's were'} made by another account (or before ` +
            'signing in) and would be lost. Sign in as that account to sync them, or sign out choosing to ' +
            'discard them, then sign in here.',
        );
      }
    }
    let me: MeResponse;
    try {
      me = await api.me(tokens.accessToken);
      await tokenVault.set(syncRefreshTokenKey(api.origin, tokens.user.id), tokens.refreshToken);
    } catch (error) {
      await bestEffortLogout(api, tokens.accessToken);
      throw error;
    }
    if (otherAccount || (cachedOrg !== me.org.id && cachedData)) {
      sqlite.transaction(() => {
        resetSyncedData(sqlite);
        sqlite.prepare('DELETE FROM sync_rejections').run();
      })();
    }
    if (
      state.userId !== null &&
      state.serverUrl !== null &&
      (state.userId !== me.user.id || state.serverUrl !== api.origin)
    ) {
      // The previous account's refresh token would otherwise sit in the keychain, still able to sign in.
      const previous = createSyncApiClient(apiOptions(state.serverUrl));
      await tokenVault.delete(syncRefreshTokenKey(previous.origin, state.userId)).catch(() => undefined);
    }
    // A device id belongs to one user on one server (the server refuses another user's device id).
    const sameDevice = state.deviceId !== null && state.userId === me.user.id && state.serverUrl === api.origin;
    const deviceId = sameDevice && state.deviceId !== null ? state.deviceId : newId();
    saveSignedInIdentity(sqlite, {
      serverUrl: api.origin,
      deviceId,
      user: { id: me.user.id, email: me.user.email, displayName: me.user.displayName },
      org: { id: me.org.id, name: me.org.name },
      roles: me.grants,
    });
    client = api;
    access = { token: tokens.accessToken, expiresAt: Date.parse(tokens.accessTokenExpiresAt) };
    challenge = null;
    const signedIn = signedInFromState();
    if (signedIn === null) throw new AppError('INTERNAL', 'Signing in did not save who you are; try again.');
    setSession(signedIn);
    return signedIn;
  }

  function hasCachedClients(): boolean {
    const row = sqlite.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM clients').get();
    return (row?.n ?? 0) > 0;
  }

  async function bestEffortLogout(api: SyncApiClient, accessToken: string): Promise<void> {
    await Promise.race([
      api.logout(accessToken).catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, LOGOUT_TIMEOUT_MS).unref()),
    ]);
  }

  async function refreshNow(): Promise<string> {
    const current = session;
    if (current.state !== 'signedIn' || client === null) {
      throw new AppError('UNAUTHENTICATED', 'Sign in to the team server to sync.');
    }
    const api = client;
    const tokenVault = requireVault();
    const key = syncRefreshTokenKey(api.origin, current.user.id);
    let refreshToken: string | null;
    try {
      refreshToken = await tokenVault.get(key);
    } catch (error) {
      const reason = error instanceof AppError ? error.message : 'The system keychain could not be read.';
      expire(reason);
      throw error;
    }
    if (refreshToken === null) {
      const reason = 'Your sign-in is no longer in the system keychain. Sign in again.';
      expire(reason);
      throw new AppError('UNAUTHENTICATED', reason);
    }
    let tokens: Tokens;
    try {
      tokens = await api.refresh(refreshToken);
    } catch (error) {
      if (error instanceof AppError && SESSION_REFUSED_CODES.has(error.code)) {
        await tokenVault.delete(key).catch(() => undefined);
        expire(`The team server ended your session (${error.message}) Sign in again; your unsynced changes are kept.`);
        throw new AppError('UNAUTHENTICATED', 'The team server ended your session; sign in again.');
      }
      throw error;
    }
    if (client !== api) {
      // Signed out, or into another account, while this refresh was on the wire: its tokens belong to nobody
      // now, and storing them would leave a working sign-in in the keychain.
      await bestEffortLogout(api, tokens.accessToken);
      throw new AppError('UNAUTHENTICATED', 'You signed out while the sign-in was being renewed.');
    }
    // The old refresh token is dead the moment the server rotated it: store the new one before anything else.
    await tokenVault.set(key, tokens.refreshToken);
    access = { token: tokens.accessToken, expiresAt: Date.parse(tokens.accessTokenExpiresAt) };
    return tokens.accessToken;
  }

  /**
   * Refresh tokens rotate on every use and reusing an old one revokes the whole family, so two refreshes must
   * never race: every caller that needs one while it runs shares the same request.
   */
  function refreshShared(): Promise<string> {
    refreshing ??= refreshNow().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function accessToken(): Promise<string> {
    if (access !== null && access.expiresAt - REFRESH_MARGIN_MS > now().getTime()) return access.token;
    return refreshShared();
  }

  function renewAccess(staleToken: string): Promise<string> {
    // Another caller may have refreshed meanwhile; only refresh if the token that was refused is still current.
    if (access !== null && access.token !== staleToken) return Promise.resolve(access.token);
    return refreshShared();
  }

  function expire(reason: string): void {
    const signedIn = session.state === 'signedIn' ? session : signedInFromState();
    access = null;
    if (signedIn === null) return;
    setSession({ state: 'expired', serverUrl: signedIn.serverUrl, email: signedIn.user.email, reason });
  }

  return {
    get: () => session,
    api: () => (session.state === 'signedIn' ? client : null),
    accessToken,

    renewAccess,

    async withAccess(call) {
      const token = await accessToken();
      try {
        return await call(token);
      } catch (error) {
        if (!isAccessDenied(error)) throw error;
        return call(await renewAccess(token));
      }
    },

    resume() {
      const signedIn = signedInFromState();
      if (signedIn === null) {
        const state = getSyncState(sqlite);
        session = { state: 'signedOut', lastServerUrl: state.serverUrl };
        return session;
      }
      if (vault === null) {
        session = {
          state: 'expired',
          serverUrl: signedIn.serverUrl,
          email: signedIn.user.email,
          reason: 'This build of KIKI Desktop has no keychain; sign in from the installed app.',
        };
        return session;
      }
      // The keychain is not read here: on macOS that may wait for the user to unlock it, and core must start at
      // once. The first request refreshes the access token, reading the vault then; a missing token or a locked
      // keychain turns the session 'expired' with the reason, and the cache and pending edits stay.
      session = signedIn;
      if (session.state === 'signedIn') client = createSyncApiClient(apiOptions(signedIn.serverUrl));
      return session;
    },

    async signIn(input) {
      requireVault();
      const api = createSyncApiClient(apiOptions(input.serverUrl));
      challenge = null;
      const reply = await api.login({ email: input.email, password: input.password });
      if ('mfaRequired' in reply) {
        challenge = { api, challengeToken: reply.challengeToken, expiresAt: new Date(reply.challengeExpiresAt) };
        return { step: 'mfa', expiresAt: reply.challengeExpiresAt };
      }
      if ('mfaEnrollmentRequired' in reply) return { step: 'mfaEnrollmentRequired' };
      return { step: 'done', session: await completeSignIn(api, reply) };
    },

    async verifyMfa(input) {
      const held = challenge;
      if (held === null || held.expiresAt.getTime() <= now().getTime()) {
        challenge = null;
        throw new AppError('UNAUTHENTICATED', 'The sign-in step timed out. Enter your email and password again.');
      }
      const tokens = await held.api.verifyMfa({
        challengeToken: held.challengeToken,
        ...(input.code !== undefined ? { code: input.code } : {}),
        ...(input.recoveryCode !== undefined ? { recoveryCode: input.recoveryCode } : {}),
      });
      return completeSignIn(held.api, tokens);
    },

    async signOut({ discardPending }) {
      const pending = countPending(sqlite);
      if (pending > 0 && !discardPending) {
        throw new AppError(
          'CONFLICT',
          `${pending} change${pending === 1 ? " hasn't" : "s haven't"} reached the team server yet. Connect and ` +
            'let them sync first, or sign out choosing to discard them.',
        );
      }
      // A refresh in flight would store its rotated token after the keychain entry below is deleted: let it
      // land first; one started after this point finds the session gone (client is null) and stores nothing.
      await refreshing?.catch(() => undefined);
      const state = getSyncState(sqlite);
      let keychainLeftover: string | null = null;
      const api = client ?? (state.serverUrl !== null ? createSyncApiClient(apiOptions(state.serverUrl)) : null);
      const signedInAccess = access;
      client = null;
      access = null;
      if (api !== null && signedInAccess !== null) await bestEffortLogout(api, signedInAccess.token);
      if (api !== null && state.userId !== null && vault !== null) {
        try {
          await vault.delete(syncRefreshTokenKey(api.origin, state.userId));
        } catch (error) {
          // A locked keychain must not trap the user in a signed-in app: the logout above already ended the
          // server session, so the entry left behind unlocks nothing; say so once the cache is cleared.
          keychainLeftover = error instanceof Error ? error.message : String(error);
        }
      }
      const lastServerUrl = state.serverUrl;
      sqlite.transaction(() => {
        clearIdentity(sqlite);
        resetSyncedData(sqlite);
        if (discardPending) discardOutbox(sqlite);
        sqlite.prepare('DELETE FROM sync_rejections').run();
      })();
      client = null;
      access = null;
      challenge = null;
      setSession({ state: 'signedOut', lastServerUrl });
      if (keychainLeftover !== null) {
        throw new AppError(
          'UNAVAILABLE',
          `You are signed out, but the old sign-in could not be removed from the system keychain ` +
            `(${keychainLeftover}). It no longer works; you can delete the "KIKI Desktop" entry by hand.`,
        );
      }
      return { discarded: discardPending ? pending : 0 };
    },
  };
}
