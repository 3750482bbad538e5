import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetMfa } from '../../src/auth/mfa.service';
import { listSessions, revokeAllUserSessions, revokeSession } from '../../src/auth/sessions.service';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { auditActions, bearer, get, login, post, type ChallengeBody, type TokensBody } from './auth-test-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

async function signedIn(orgId: string) {
  const user = await t.createUser({ orgId, role: 'operator' });
  const a = (await login(t.app, user.email, user.password)).json<TokensBody>();
  const b = (await login(t.app, user.email, user.password)).json<TokensBody>();
  return { user, a, b };
}

describe('session administration (used by the admin CLI)', () => {
  it('lists live sessions per agency and per user, never another agency’s', async () => {
    const org = await t.createOrg();
    const other = await t.createOrg();
    const first = await signedIn(org.id);
    const second = await signedIn(org.id);
    await signedIn(other.id);
    const all = await listSessions(t.db, org.id);
    expect(all).toHaveLength(4);
    expect(new Set(all.map((s) => s.userId))).toEqual(new Set([first.user.id, second.user.id]));
    expect(await listSessions(t.db, org.id, first.user.id)).toHaveLength(2);
    expect(await listSessions(t.db, other.id, first.user.id)).toEqual([]);
  });

  it('revokes one session, refusing one from another agency', async () => {
    const org = await t.createOrg();
    const other = await t.createOrg();
    const { user, a, b } = await signedIn(org.id);
    const [target] = await listSessions(t.db, org.id, user.id);
    if (target === undefined) throw new Error('expected a session');
    const crossAgency = await t.db
      .transaction()
      .execute((trx) => revokeSession(trx, { orgId: other.id, sessionId: target.id, reason: 'admin' }));
    expect(crossAgency).toBe(false);
    const done = await t.db
      .transaction()
      .execute((trx) => revokeSession(trx, { orgId: org.id, sessionId: target.id, reason: 'admin' }));
    expect(done).toBe(true);
    const statuses = [
      (await get(t.app, '/me', bearer(a.accessToken))).statusCode,
      (await get(t.app, '/me', bearer(b.accessToken))).statusCode,
    ].sort();
    expect(statuses).toEqual([200, 401]);
    expect(await auditActions(t.db, org.id)).toContain('auth.session.revoked');
  });

  it('revokes every session of a user at once and audits it', async () => {
    const org = await t.createOrg();
    const { user, a, b } = await signedIn(org.id);
    const count = await t.db
      .transaction()
      .execute((trx) => revokeAllUserSessions(trx, org.id, user.id, 'password_reset', { actorUserId: null }));
    expect(count).toBe(2);
    for (const tokens of [a, b]) {
      expect((await get(t.app, '/me', bearer(tokens.accessToken))).statusCode).toBe(401);
      expect((await post(t.app, '/refresh', { refreshToken: tokens.refreshToken })).statusCode).toBe(401);
    }
    expect(await listSessions(t.db, org.id, user.id)).toEqual([]);
    expect(await auditActions(t.db, org.id)).toContain('auth.sessions.revoked_all');
  });
});

describe('resetMfa', () => {
  it('turns MFA off, removes secret and recovery codes, so the user signs in with the password again', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst', mfa: true });
    expect((await login(t.app, user.email, user.password)).json<ChallengeBody>().mfaRequired).toBe(true);
    const other = await t.createOrg();
    expect(await t.db.transaction().execute((trx) => resetMfa(trx, other.id, user.id))).toBe(false);
    expect(await t.db.transaction().execute((trx) => resetMfa(trx, org.id, user.id))).toBe(true);
    const row = await t.db
      .selectFrom('users')
      .select(['mfa_enabled', 'totp_secret_enc', 'totp_last_used_step'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ mfa_enabled: false, totp_secret_enc: null, totp_last_used_step: null });
    const after = (await login(t.app, user.email, user.password)).json<TokensBody>();
    expect(after.accessToken).toBeTypeOf('string');
    expect(await auditActions(t.db, org.id)).toContain('auth.mfa.reset');
  });
});
