import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import type { Session } from '@kiki/shared/contract/sync-contract';
import { syncRefreshTokenKey } from '@kiki/shared/vault/vault-key.schema';
import { openDatabase, type AppDatabase } from '../db/open-database';
import { createTestCache } from '../services/test-factories';
import { enqueueMutation } from './outbox.repository';
import { getSyncState } from './sync-state.repository';
import { createSessionService } from './session.service';
import { AUTH_PATHS } from './sync-api.client';
import type { TokenVault } from './token-vault';

const SERVER = 'https://kiki.agency.example';
const USER = { id: newId(), orgId: newId(), email: 'ana@agency.example', displayName: 'Ana' };
const NOW = new Date('2026-03-01T12:00:00Z');

const handles: AppDatabase[] = [];
afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
});

function memoryVault(): TokenVault & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (key) => Promise.resolve(entries.get(key) ?? null),
    set: (key, value) => {
      entries.set(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      entries.delete(key);
      return Promise.resolve();
    },
  };
}

function tokens(n: number, user = USER, ttlMs = 15 * 60_000) {
  return {
    accessToken: `access-${n}`,
    accessTokenExpiresAt: new Date(NOW.getTime() + ttlMs).toISOString(),
    refreshToken: `refresh-${n}`,
    refreshTokenExpiresAt: new Date(NOW.getTime() + 30 * 86_400_000).toISOString(),
    user,
  };
}

/** A team server's auth API in a fetch: MFA sign-in, rotating refresh tokens, /me, logout. */
function fakeAuthServer(options: { user?: typeof USER; orgName?: string; accessTtlMs?: number } = {}) {
  const user = options.user ?? USER;
  const calls: { path: string; body: unknown; authorization: string | null }[] = [];
  let issued = 0;
  let liveRefresh: string | null = null;
  let refuseRefresh = false;
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    const headers = new Headers(init?.headers);
    calls.push({ path: url.pathname, body, authorization: headers.get('authorization') });
    // A little latency, so concurrent callers really overlap.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reply = (status: number, json: unknown) =>
      new Response(json === null ? null : JSON.stringify(json), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    const issue = () => {
      issued += 1;
      liveRefresh = `refresh-${issued}`;
      return tokens(issued, user, options.accessTtlMs);
    };
    switch (url.pathname) {
      case AUTH_PATHS.login:
        return reply(200, {
          mfaRequired: true,
          challengeToken: 'challenge',
          challengeExpiresAt: '2026-03-01T12:05:00.000Z',
        });
      case AUTH_PATHS.mfaVerify:
        return reply(200, issue());
      case AUTH_PATHS.refresh: {
        const presented = (body as { refreshToken: string }).refreshToken;
        if (refuseRefresh || presented !== liveRefresh) {
          return reply(401, { error: { code: 'TOKEN_REUSED', message: 'This refresh token was already used.' } });
        }
        return reply(200, issue());
      }
      case AUTH_PATHS.me:
        return reply(200, {
          user,
          org: { id: user.orgId, name: options.orgName ?? 'Agency', mfaRequired: true },
          grants: [{ role: 'operator', clientIds: null }],
          sessionId: newId(),
          recoveryCodesLeft: 10,
        });
      case AUTH_PATHS.logout:
        return reply(204, null);
      default:
        return reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    }
  }) as typeof globalThis.fetch;
  return {
    fetch,
    calls,
    refuseRefresh: () => (refuseRefresh = true),
    count: (path: string) => calls.filter((c) => c.path === path).length,
  };
}

async function setup(
  options: { vault?: TokenVault | null; server?: ReturnType<typeof fakeAuthServer>; now?: () => Date } = {},
) {
  const handle = await openDatabase({ filename: ':memory:' });
  handles.push(handle);
  const server = options.server ?? fakeAuthServer();
  const vault = options.vault === undefined ? memoryVault() : options.vault;
  const changes: Session[] = [];
  const make = () =>
    createSessionService({
      sqlite: handle.sqlite,
      vault,
      now: options.now ?? (() => NOW),
      fetch: server.fetch,
      onChange: (session) => changes.push(session),
    });
  return { handle, server, vault, changes, session: make(), make };
}

async function signIn(session: ReturnType<typeof createSessionService>) {
  const first = await session.signIn({ serverUrl: SERVER, email: USER.email, password: 'pw' });
  expect(first).toEqual({ step: 'mfa', expiresAt: '2026-03-01T12:05:00.000Z' });
  return session.verifyMfa({ code: '123456' });
}

describe('session', () => {
  it('signs in with an MFA code: refresh token to the vault, identity to sync_state, nothing secret returned', async () => {
    const { session, vault, handle, changes } = await setup();
    const signedIn = await signIn(session);
    expect(signedIn).toMatchObject({
      state: 'signedIn',
      serverUrl: SERVER,
      user: { id: USER.id, email: USER.email },
      org: { id: USER.orgId, name: 'Agency' },
      roles: [{ role: 'operator', clientIds: null }],
    });
    expect(JSON.stringify(signedIn)).not.toMatch(/refresh-|access-|challenge/);
    expect(JSON.stringify(changes)).not.toMatch(/refresh-|access-|challenge/);
    expect((vault as ReturnType<typeof memoryVault>).entries.get(syncRefreshTokenKey(SERVER, USER.id))).toBe(
      'refresh-1',
    );
    const state = getSyncState(handle.sqlite);
    expect(state).toMatchObject({ userId: USER.id, orgId: USER.orgId, serverUrl: SERVER });
    expect(state.deviceId).not.toBeNull();
    expect(JSON.stringify(handle.sqlite.prepare('SELECT * FROM sync_state').all())).not.toContain('refresh-1');
  });

  it('shares one refresh among concurrent callers, because reusing a rotated token revokes the family', async () => {
    let now = NOW;
    const { session, server, vault } = await setup({ now: () => now });
    await signIn(session);
    now = new Date(NOW.getTime() + 20 * 60_000); // the access token has expired
    const tokensSeen = await Promise.all([session.accessToken(), session.accessToken(), session.accessToken()]);
    expect(new Set(tokensSeen)).toEqual(new Set(['access-2']));
    expect(server.count(AUTH_PATHS.refresh)).toBe(1);
    expect((vault as ReturnType<typeof memoryVault>).entries.get(syncRefreshTokenKey(SERVER, USER.id))).toBe(
      'refresh-2',
    );

    // Two requests refused with the same stale token also trigger one refresh between them.
    const [a, b] = await Promise.all([session.renewAccess('access-2'), session.renewAccess('access-2')]);
    expect([a, b]).toEqual(['access-3', 'access-3']);
    expect(server.count(AUTH_PATHS.refresh)).toBe(2);
    // A caller whose refused token was already replaced gets the new one without another refresh.
    expect(await session.renewAccess('access-2')).toBe('access-3');
    expect(server.count(AUTH_PATHS.refresh)).toBe(2);
  });

  it('leaves no sign-in in the keychain when signing out while a refresh is on the wire', async () => {
    let now = NOW;
    const { session, vault } = await setup({ now: () => now });
    await signIn(session);
    now = new Date(NOW.getTime() + 20 * 60_000);
    const renewing = session.accessToken().catch((error: unknown) => error);
    await session.signOut({ discardPending: false });
    await renewing;
    expect((vault as ReturnType<typeof memoryVault>).entries.size).toBe(0);
    expect(session.get().state).toBe('signedOut');
  });

  it("refuses to push another person's queued edits under a teammate's name in the same agency", async () => {
    const { session, handle, server } = await setup();
    await signIn(session);
    const campaignId = newId();
    enqueueMutation(
      handle.sqlite,
      { name: 'campaign.rename', args: { campaignId, name: 'Ana was here' } },
      null,
      NOW.toISOString(),
    );
    const ben = { ...USER, id: newId(), email: 'ben@agency.example', displayName: 'Ben' };
    // Ben signs in on Ana's machine (same cache, same agency) while her edit still waits.
    const onAnasCache = createSessionService({
      sqlite: handle.sqlite,
      vault: memoryVault(),
      now: () => NOW,
      fetch: fakeAuthServer({ user: ben }).fetch,
      onChange: () => undefined,
    });
    await onAnasCache.signIn({ serverUrl: SERVER, email: ben.email, password: 'pw' });
    await expect(onAnasCache.verifyMfa({ code: '123456' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(getSyncState(handle.sqlite).userId).toBe(USER.id);
    expect(server.count(AUTH_PATHS.login)).toBe(1);
    expect(handle.sqlite.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 1 });
  });

  it('refresh refused → the session expires with the reason and the dead token leaves the vault', async () => {
    let now = NOW;
    const { session, server, vault, changes } = await setup({ now: () => now });
    await signIn(session);
    server.refuseRefresh();
    now = new Date(NOW.getTime() + 20 * 60_000);
    await expect(session.accessToken()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(session.get()).toMatchObject({ state: 'expired', serverUrl: SERVER, email: USER.email });
    expect(changes.at(-1)?.state).toBe('expired');
    expect((vault as ReturnType<typeof memoryVault>).entries.size).toBe(0);
  });

  it('resumes signed in from sync_state; a locked keychain at the first refresh makes it expired with the reason', async () => {
    const { session, vault, make } = await setup();
    await signIn(session);
    const restarted = make();
    expect(restarted.resume().state).toBe('signedIn');
    expect(restarted.api()?.origin).toBe(SERVER);
    expect(await restarted.accessToken()).toBe('access-2');

    const locked = vault as ReturnType<typeof memoryVault>;
    locked.get = () => Promise.reject(new AppError('UNAVAILABLE', 'Your system keychain is locked. Unlock it.'));
    const lockedStart = make();
    // Starting never waits for the keychain (it may be waiting for the user to unlock it).
    expect(lockedStart.resume().state).toBe('signedIn');
    await expect(lockedStart.accessToken()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(lockedStart.get()).toEqual({
      state: 'expired',
      serverUrl: SERVER,
      email: USER.email,
      reason: 'Your system keychain is locked. Unlock it.',
    });
  });

  it("signing in as someone else on this install removes the previous account's refresh token", async () => {
    const { handle, vault } = await setup();
    const first = createSessionService({
      sqlite: handle.sqlite,
      vault,
      now: () => NOW,
      fetch: fakeAuthServer().fetch,
      onChange: () => undefined,
    });
    await signIn(first);
    const colleague = { ...USER, id: newId(), email: 'ben@agency.example' };
    const second = createSessionService({
      sqlite: handle.sqlite,
      vault,
      now: () => NOW,
      fetch: fakeAuthServer({ user: colleague }).fetch,
      onChange: () => undefined,
    });
    await signIn(second);
    expect([...(vault as ReturnType<typeof memoryVault>).entries.keys()]).toEqual([
      syncRefreshTokenKey(SERVER, colleague.id),
    ]);
    expect(getSyncState(handle.sqlite).userId).toBe(colleague.id);
  });

  it('replaces a cache that belongs to no agency or another one (e.g. demo data) on sign-in, keeping nothing of it', async () => {
    const cache = await createTestCache();
    handles.push(cache.handle);
    const clientId = cache.addClient({ name: 'Demo brand' });
    cache.addCampaign(clientId);
    const session = createSessionService({
      sqlite: cache.handle.sqlite,
      vault: memoryVault(),
      now: () => NOW,
      fetch: fakeAuthServer().fetch,
      onChange: () => undefined,
    });
    await signIn(session);
    expect(cache.handle.sqlite.prepare('SELECT COUNT(*) AS n FROM clients').get()).toEqual({ n: 0 });
    expect(cache.handle.sqlite.prepare('SELECT COUNT(*) AS n FROM campaigns').get()).toEqual({ n: 0 });
    expect(getSyncState(cache.handle.sqlite).orgId).toBe(USER.orgId);
  });

  it('refuses to sign in without a vault, saying why', async () => {
    const { session } = await setup({ vault: null });
    await expect(session.signIn({ serverUrl: SERVER, email: USER.email, password: 'pw' })).rejects.toThrow(/keychain/);
  });

  it('sign-out refuses while edits are pending, and with discard revokes, deletes the token and empties the queue', async () => {
    const { session, server, vault, handle } = await setup();
    await signIn(session);
    enqueueMutation(
      handle.sqlite,
      { name: 'campaign.rename', args: { campaignId: newId(), name: 'X' } },
      null,
      NOW.toISOString(),
    );
    await expect(session.signOut({ discardPending: false })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(session.get().state).toBe('signedIn');
    expect(await session.signOut({ discardPending: true })).toEqual({ discarded: 1 });
    expect(server.count(AUTH_PATHS.logout)).toBe(1);
    expect((vault as ReturnType<typeof memoryVault>).entries.size).toBe(0);
    expect(session.get()).toEqual({ state: 'signedOut', lastServerUrl: SERVER });
    expect(getSyncState(handle.sqlite)).toMatchObject({ userId: null, orgId: null, deviceId: null });
    expect(handle.sqlite.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });

  it('refuses to sign in to another agency while edits for the cached one are pending', async () => {
    const other = { ...USER, id: newId(), orgId: newId() };
    const first = await setup({ server: fakeAuthServer({ user: USER }) });
    await signIn(first.session);
    enqueueMutation(
      first.handle.sqlite,
      { name: 'campaign.rename', args: { campaignId: newId(), name: 'Y' } },
      null,
      NOW.toISOString(),
    );
    const second = createSessionService({
      sqlite: first.handle.sqlite,
      vault: first.vault,
      now: () => NOW,
      fetch: fakeAuthServer({ user: other }).fetch,
      onChange: () => undefined,
    });
    await second.signIn({ serverUrl: SERVER, email: other.email, password: 'pw' });
    await expect(second.verifyMfa({ recoveryCode: 'abcd-efgh-ijkl' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(getSyncState(first.handle.sqlite).orgId).toBe(USER.orgId);
    expect((first.vault as ReturnType<typeof memoryVault>).entries.has(syncRefreshTokenKey(SERVER, other.id))).toBe(
      false,
    );
  });
});
