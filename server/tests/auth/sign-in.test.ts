import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { auditActions, bearer, errorOf, get, login, post, type TokensBody } from './auth-test-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

describe('POST /login without MFA', () => {
  it('returns tokens and the user; the access token opens /me with the grants of the user', async () => {
    const org = await t.createOrg();
    const client = await t.createClient({ orgId: org.id });
    const user = await t.createUser({ orgId: org.id, role: 'client_viewer', clientIds: [client.id] });
    const response = await login(t.app, user.email.toUpperCase(), user.password);
    expect(response.statusCode).toBe(200);
    const body = response.json<TokensBody>();
    expect(body.user).toMatchObject({ id: user.id, orgId: org.id, email: user.email, mfaEnabled: false });
    expect(Date.parse(body.accessTokenExpiresAt) - Date.now()).toBeGreaterThan(800_000);
    expect(Date.parse(body.refreshTokenExpiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const me = await get(t.app, '/me', bearer(body.accessToken));
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      user: { id: user.id },
      org: { id: org.id, name: org.name, mfaRequired: false },
      grants: [{ role: 'client_viewer', clientIds: [client.id] }],
    });
    expect(await auditActions(t.db, org.id)).toEqual(['auth.login.succeeded']);
  });

  it('answers a wrong password and an unknown email identically, and records both', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const wrong = await login(t.app, user.email, 'not the right password');
    const unknownEmail = `nobody-${Date.now()}@example.test`;
    const unknown = await login(t.app, unknownEmail, 'not the right password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(errorOf(wrong).code).toBe('INVALID_CREDENTIALS');
    expect(await auditActions(t.db, org.id)).toEqual(['auth.login.failed']);
    const orphan = await t.db
      .selectFrom('auth_events')
      .selectAll()
      .where('email', '=', unknownEmail)
      .executeTakeFirstOrThrow();
    expect(orphan.event).toBe('auth.login.failed.unknown_email');
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/kiki_auth_failures_total\{reason="bad_password"\} [1-9]/);
    expect(metrics.body).toMatch(/kiki_auth_failures_total\{reason="unknown_email"\} [1-9]/);
  });

  it('rejects malformed bodies with 400 and changes nothing', async () => {
    for (const payload of [
      {},
      { email: 'a@b.c' },
      { email: 5, password: 'x' },
      { email: 'a@b.c', password: 'x', extra: 1 },
    ]) {
      const response = await post(t.app, '/login', payload);
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
  });

  it('asks for the agency when one email exists in two agencies, and signs in with orgId', async () => {
    const [a, b] = [await t.createOrg(), await t.createOrg()];
    const email = `shared-${Date.now()}@example.test`;
    await t.createUser({ orgId: a.id, role: 'analyst', email });
    const inB = await t.createUser({ orgId: b.id, role: 'analyst', email });
    const ambiguous = await login(t.app, email, inB.password);
    expect(ambiguous.statusCode).toBe(400);
    expect(errorOf(ambiguous).message).toMatch(/orgId/);
    const chosen = await login(t.app, email, inB.password, { orgId: b.id });
    expect(chosen.json<TokensBody>().user.id).toBe(inB.id);
  });
});

describe('account lockout', () => {
  it('locks after five failures with Retry-After, refuses even the right password, then backs off', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'operator' });
    for (let i = 0; i < 5; i++) {
      expect((await login(t.app, user.email, `wrong password ${i}`)).statusCode).toBe(401);
    }
    const locked = await login(t.app, user.email, user.password);
    expect(locked.statusCode).toBe(423);
    expect(errorOf(locked).code).toBe('ACCOUNT_LOCKED');
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // The minute passes: one more failure locks for twice as long.
    await t.db
      .updateTable('users')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('id', '=', user.id)
      .execute();
    expect((await login(t.app, user.email, 'wrong again')).statusCode).toBe(401);
    const relocked = await login(t.app, user.email, user.password);
    expect(relocked.statusCode).toBe(423);
    expect(Number(relocked.headers['retry-after'])).toBeGreaterThan(110);

    // After the lock, the right password works and clears the count.
    await t.db
      .updateTable('users')
      .set({ locked_until: new Date(Date.now() - 1000) })
      .where('id', '=', user.id)
      .execute();
    expect((await login(t.app, user.email, user.password)).statusCode).toBe(200);
    const row = await t.db
      .selectFrom('users')
      .select(['failed_login_count', 'locked_until'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_login_count: 0, locked_until: null });
    const actions = await auditActions(t.db, org.id);
    expect(actions.filter((a) => a === 'auth.login.failed')).toHaveLength(8);
    expect(actions.at(-1)).toBe('auth.login.succeeded');
  });
});

describe('disabled users', () => {
  it('cannot sign in, and an access token issued before disabling stops working at once', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'manager' });
    const tokens = (await login(t.app, user.email, user.password)).json<TokensBody>();
    expect((await get(t.app, '/me', bearer(tokens.accessToken))).statusCode).toBe(200);

    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    const me = await get(t.app, '/me', bearer(tokens.accessToken));
    expect(me.statusCode).toBe(403);
    expect(errorOf(me).code).toBe('ACCOUNT_DISABLED');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/clients', headers: bearer(tokens.accessToken) });
    expect(api.statusCode).toBe(403);
    expect((await post(t.app, '/refresh', { refreshToken: tokens.refreshToken })).statusCode).toBe(403);
    const again = await login(t.app, user.email, user.password);
    expect(again.statusCode).toBe(403);
    expect(errorOf(again).code).toBe('ACCOUNT_DISABLED');
  });
});

describe('refresh and logout over HTTP', () => {
  it('rotates, detects reuse (401 TOKEN_REUSED) and ends the session for every token of the family', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const first = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const second = await post(t.app, '/refresh', { refreshToken: first.refreshToken });
    expect(second.statusCode).toBe(200);
    const rotated = second.json<TokensBody>();
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    expect(rotated.user.id).toBe(user.id);

    const reuse = await post(t.app, '/refresh', { refreshToken: first.refreshToken });
    expect(reuse.statusCode).toBe(401);
    expect(errorOf(reuse).code).toBe('TOKEN_REUSED');
    expect((await get(t.app, '/me', bearer(rotated.accessToken))).statusCode).toBe(401);
    expect((await post(t.app, '/refresh', { refreshToken: rotated.refreshToken })).statusCode).toBe(401);
    expect(await auditActions(t.db, org.id)).toEqual([
      'auth.login.succeeded',
      'auth.token.refreshed',
      'auth.token.reused',
    ]);
  });

  it('two concurrent HTTP refreshes with one token: exactly one 200', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const tokens = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const responses = await Promise.all([
      post(t.app, '/refresh', { refreshToken: tokens.refreshToken }),
      post(t.app, '/refresh', { refreshToken: tokens.refreshToken }),
    ]);
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    expect(responses.map((r) => errorOf(r).code).filter(Boolean)).toEqual(['TOKEN_REUSED']);
  });

  it('logout revokes the session: its access token and refresh token stop working', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const tokens = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const other = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const out = await post(t.app, '/logout', undefined, bearer(tokens.accessToken));
    expect(out.statusCode).toBe(204);
    const me = await get(t.app, '/me', bearer(tokens.accessToken));
    expect(me.statusCode).toBe(401);
    expect(errorOf(me).code).toBe('UNAUTHENTICATED');
    expect((await post(t.app, '/refresh', { refreshToken: tokens.refreshToken })).statusCode).toBe(401);
    // Other devices stay signed in.
    expect((await get(t.app, '/me', bearer(other.accessToken))).statusCode).toBe(200);
    expect(await auditActions(t.db, org.id)).toContain('auth.logout');
  });

  it('protected routes answer 401 without a token or with a malformed header', async () => {
    expect((await get(t.app, '/me')).statusCode).toBe(401);
    expect(errorOf(await get(t.app, '/me', { authorization: 'Basic abc' })).code).toBe('UNAUTHENTICATED');
    expect((await get(t.app, '/me', bearer('a.b.c'))).statusCode).toBe(401);
    expect((await post(t.app, '/logout')).statusCode).toBe(401);
  });
});

describe('own sessions', () => {
  it('lists the caller’s live sessions and signs one out; another user’s session is not found', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const colleague = await t.createUser({ orgId: org.id, role: 'analyst' });
    const a = (await login(t.app, user.email, user.password, {})).json<TokensBody>();
    const b = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const theirs = (await login(t.app, colleague.email, colleague.password)).json<TokensBody>();

    const list = await get(t.app, '/sessions', bearer(a.accessToken));
    const items = list.json<{ items: { id: string; current: boolean }[] }>().items;
    expect(items).toHaveLength(2);
    expect(items.filter((s) => s.current)).toHaveLength(1);
    const otherSession = items.find((s) => !s.current);
    if (otherSession === undefined) throw new Error('expected a second session');

    const theirSessions = (await get(t.app, '/sessions', bearer(theirs.accessToken))).json<{
      items: { id: string }[];
    }>();
    const theirId = theirSessions.items[0]?.id ?? '';
    const forbidden = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${theirId}`,
      headers: bearer(a.accessToken),
    });
    expect(forbidden.statusCode).toBe(404);
    expect((await get(t.app, '/me', bearer(theirs.accessToken))).statusCode).toBe(200);

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${otherSession.id}`,
      headers: bearer(a.accessToken),
    });
    expect(removed.statusCode).toBe(204);
    expect((await get(t.app, '/me', bearer(b.accessToken))).statusCode).toBe(401);
    expect((await get(t.app, '/me', bearer(a.accessToken))).statusCode).toBe(200);
  });
});
