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

const NEW_PASSWORD = 'a brand new passphrase';

describe('POST /password', () => {
  it('changes the password, keeps this session and ends every other one', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const here = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const elsewhere = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const response = await post(
      t.app,
      '/password',
      { currentPassword: user.password, newPassword: NEW_PASSWORD },
      bearer(here.accessToken),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ otherSessionsEnded: 1 });
    expect((await get(t.app, '/me', bearer(here.accessToken))).statusCode).toBe(200);
    expect((await get(t.app, '/me', bearer(elsewhere.accessToken))).statusCode).toBe(401);
    expect((await login(t.app, user.email, user.password)).statusCode).toBe(401);
    expect((await login(t.app, user.email, NEW_PASSWORD)).statusCode).toBe(200);
    expect(await auditActions(t.db, org.id)).toContain('auth.password.changed');
  });

  it('refuses a wrong current password (counted toward lockout) and a new password that breaks the policy', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const tokens = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const wrong = await post(
      t.app,
      '/password',
      { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
      bearer(tokens.accessToken),
    );
    expect(wrong.statusCode).toBe(401);
    expect(errorOf(wrong).code).toBe('INVALID_CREDENTIALS');
    const short = await post(
      t.app,
      '/password',
      { currentPassword: user.password, newPassword: 'short' },
      bearer(tokens.accessToken),
    );
    expect(short.statusCode).toBe(400);
    expect(errorOf(short).message).toMatch(/at least 12/);
    expect((await login(t.app, user.email, user.password)).statusCode).toBe(200);
    const actions = await auditActions(t.db, org.id);
    expect(actions).toContain('auth.password.change_failed');
    expect(actions).not.toContain('auth.password.changed');
    expect((await post(t.app, '/password', { currentPassword: 'x', newPassword: NEW_PASSWORD })).statusCode).toBe(401);
  });
});
