import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { generateTotpCode } from '../../src/auth/totp';
import { createTestApp, type TestApp } from '../helpers/test-app';
import {
  auditActions,
  bearer,
  errorOf,
  get,
  login,
  post,
  type ChallengeBody,
  type TokensBody,
} from './auth-test-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.destroy();
});

const STEP_MS = 30_000;

function windowCodes(secret: string): Set<string> {
  return new Set([-1, 0, 1].map((o) => generateTotpCode(secret, Date.now() + o * STEP_MS)));
}

/** A well-formed code that is certainly wrong right now. */
function wrongCode(secret: string): string {
  const taken = windowCodes(secret);
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!taken.has(code)) return code;
  }
}

async function challengeFor(email: string, password: string): Promise<ChallengeBody> {
  const response = await login(t.app, email, password);
  expect(response.statusCode).toBe(200);
  return response.json<ChallengeBody>();
}

/** Enrols a signed-in user through the API; returns the secret and the recovery codes. */
async function enrolThroughApi(accessToken: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const start = await post(t.app, '/mfa/enroll/start', {}, bearer(accessToken));
  expect(start.statusCode).toBe(200);
  const { secret, otpauthUri } = start.json<{ secret: string; otpauthUri: string }>();
  expect(otpauthUri).toContain(`secret=${secret}`);
  const confirm = await post(
    t.app,
    '/mfa/enroll/confirm',
    { code: generateTotpCode(secret, Date.now()) },
    bearer(accessToken),
  );
  expect(confirm.statusCode).toBe(200);
  const body = confirm.json<{ recoveryCodes: string[]; tokens: TokensBody | null }>();
  expect(body.tokens).toBeNull();
  return { secret, recoveryCodes: body.recoveryCodes };
}

describe('sign-in with TOTP', () => {
  it('asks for a code after the password, issues tokens for a valid code and never accepts it twice', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'operator', mfa: true });
    const secret = user.totpSecret ?? '';
    const challenge = await challengeFor(user.email, user.password);
    expect(challenge.mfaRequired).toBe(true);
    expect(challenge).not.toHaveProperty('accessToken');
    // The challenge is not an access token.
    expect((await get(t.app, '/me', bearer(challenge.challengeToken))).statusCode).toBe(401);

    const code = generateTotpCode(secret, Date.now());
    const ok = await post(t.app, '/mfa/verify', { challengeToken: challenge.challengeToken, code });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<TokensBody>().user).toMatchObject({ id: user.id, mfaEnabled: true });

    const second = await challengeFor(user.email, user.password);
    const replay = await post(t.app, '/mfa/verify', { challengeToken: second.challengeToken, code });
    expect(replay.statusCode).toBe(401);
    expect(errorOf(replay).code).toBe('MFA_INVALID');
    // The next step's code is still fine (one step of drift is allowed).
    const next = generateTotpCode(secret, Date.now() + STEP_MS);
    expect((await post(t.app, '/mfa/verify', { challengeToken: second.challengeToken, code: next })).statusCode).toBe(
      200,
    );
    const actions = await auditActions(t.db, org.id);
    expect(actions.filter((a) => a === 'auth.login.succeeded')).toHaveLength(2);
    expect(actions).toContain('auth.mfa.failed');
  });

  it('rejects codes two steps away and wrong codes, and counts them toward the lockout', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'operator', mfa: true });
    const secret = user.totpSecret ?? '';
    const { challengeToken } = await challengeFor(user.email, user.password);
    const now = Date.now();
    const attempts = [
      generateTotpCode(secret, now - 2 * STEP_MS),
      generateTotpCode(secret, now + 2 * STEP_MS),
      wrongCode(secret),
      wrongCode(secret),
      wrongCode(secret),
    ];
    for (const code of attempts) {
      // A code two steps away only matches if it happens to equal a nearby step's code (1 in 10^6).
      if (windowCodes(secret).has(code)) continue;
      const response = await post(t.app, '/mfa/verify', { challengeToken, code });
      expect(response.statusCode).toBe(401);
      expect(errorOf(response).code).toBe('MFA_INVALID');
    }
    const row = await t.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirst();
    if ((row?.failed_login_count ?? 0) < 5)
      await post(t.app, '/mfa/verify', { challengeToken, code: wrongCode(secret) });
    const locked = await post(t.app, '/mfa/verify', { challengeToken, code: generateTotpCode(secret, Date.now()) });
    expect(locked.statusCode).toBe(423);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a password alone does not reset the failure count while MFA is pending', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'operator', mfa: true });
    for (let i = 0; i < 4; i++) {
      const { challengeToken } = await challengeFor(user.email, user.password);
      await post(t.app, '/mfa/verify', { challengeToken, code: wrongCode(user.totpSecret ?? '') });
    }
    const row = await t.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirst();
    expect(row?.failed_login_count).toBe(4);
  });

  it('rejects a body with both or neither factor, and a forged challenge', async () => {
    const bothOrNeither = [
      { challengeToken: 'x.y.z' },
      { challengeToken: 'x.y.z', code: '123456', recoveryCode: 'aaaa-bbbb-cccc-dddd' },
      { challengeToken: 'x.y.z', code: '12345' },
    ];
    for (const payload of bothOrNeither) {
      expect((await post(t.app, '/mfa/verify', payload)).statusCode).toBe(400);
    }
    const forged = await post(t.app, '/mfa/verify', { challengeToken: 'x.y.z', code: '123456' });
    expect(forged.statusCode).toBe(401);
  });
});

describe('enrolment and recovery codes', () => {
  it('stores the TOTP secret encrypted, issues 10 recovery codes, each usable exactly once', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const first = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const { secret, recoveryCodes } = await enrolThroughApi(first.accessToken);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    const row = await t.db
      .selectFrom('users')
      .select(['mfa_enabled', 'totp_secret_enc'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.mfa_enabled).toBe(true);
    expect(row.totp_secret_enc).toMatch(/^v1\./);
    expect(row.totp_secret_enc).not.toContain(secret);
    const stored = await t.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(recoveryCodes).not.toContain(code_hash);

    const recoveryCode = recoveryCodes[0] ?? '';
    const c1 = await challengeFor(user.email, user.password);
    const used = await post(t.app, '/mfa/verify', { challengeToken: c1.challengeToken, recoveryCode });
    expect(used.statusCode).toBe(200);
    const me = await get(t.app, '/me', bearer(used.json<TokensBody>().accessToken));
    expect(me.json<{ recoveryCodesLeft: number }>().recoveryCodesLeft).toBe(9);

    const c2 = await challengeFor(user.email, user.password);
    const again = await post(t.app, '/mfa/verify', { challengeToken: c2.challengeToken, recoveryCode });
    expect(again.statusCode).toBe(401);
    expect(errorOf(again).code).toBe('MFA_INVALID');
    // Typed differently (upper case, spaces) it is still the same, spent code.
    const typed = recoveryCode.toUpperCase().replaceAll('-', ' ');
    expect(
      (await post(t.app, '/mfa/verify', { challengeToken: c2.challengeToken, recoveryCode: typed })).statusCode,
    ).toBe(401);
    const other = (recoveryCodes[1] ?? '').toUpperCase();
    expect(
      (await post(t.app, '/mfa/verify', { challengeToken: c2.challengeToken, recoveryCode: other })).statusCode,
    ).toBe(200);
    expect(await auditActions(t.db, org.id)).toEqual(
      expect.arrayContaining(['auth.mfa.enrollment_started', 'auth.mfa.enabled', 'auth.mfa.failed']),
    );
  });

  it('refuses a wrong confirmation code and a second enrolment while MFA is on', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    const tokens = (await login(t.app, user.email, user.password)).json<TokensBody>();
    const start = (await post(t.app, '/mfa/enroll/start', {}, bearer(tokens.accessToken))).json<{ secret: string }>();
    const wrong = await post(
      t.app,
      '/mfa/enroll/confirm',
      { code: wrongCode(start.secret) },
      bearer(tokens.accessToken),
    );
    expect(wrong.statusCode).toBe(401);
    expect(errorOf(wrong).code).toBe('MFA_INVALID');
    const unchanged = await t.db.selectFrom('users').select('mfa_enabled').where('id', '=', user.id).executeTakeFirst();
    expect(unchanged?.mfa_enabled).toBe(false);

    const ok = await post(
      t.app,
      '/mfa/enroll/confirm',
      { code: generateTotpCode(start.secret, Date.now()) },
      bearer(tokens.accessToken),
    );
    expect(ok.statusCode).toBe(200);
    const twice = await post(t.app, '/mfa/enroll/start', {}, bearer(tokens.accessToken));
    expect(twice.statusCode).toBe(409);
    expect((await post(t.app, '/mfa/enroll/confirm', { code: '123456' }, bearer(tokens.accessToken))).statusCode).toBe(
      409,
    );
  });

  it('an agency that requires MFA sends users without it to enrolment, which then completes the sign-in', async () => {
    const org = await t.createOrg({ mfaRequired: true });
    const user = await t.createUser({ orgId: org.id, role: 'manager' });
    const challenge = await challengeFor(user.email, user.password);
    expect(challenge.mfaEnrollmentRequired).toBe(true);
    // An enrolment challenge is not an MFA challenge and not an access token.
    expect(
      (await post(t.app, '/mfa/verify', { challengeToken: challenge.challengeToken, code: '123456' })).statusCode,
    ).toBe(401);
    expect((await get(t.app, '/me', bearer(challenge.challengeToken))).statusCode).toBe(401);
    expect((await post(t.app, '/mfa/enroll/start', {})).statusCode).toBe(401);

    const start = await post(t.app, '/mfa/enroll/start', { challengeToken: challenge.challengeToken });
    expect(start.statusCode).toBe(200);
    const { secret } = start.json<{ secret: string }>();
    const confirm = await post(t.app, '/mfa/enroll/confirm', {
      challengeToken: challenge.challengeToken,
      code: generateTotpCode(secret, Date.now()),
    });
    expect(confirm.statusCode).toBe(200);
    const body = confirm.json<{ recoveryCodes: string[]; tokens: TokensBody | null }>();
    expect(body.recoveryCodes).toHaveLength(10);
    expect(body.tokens?.user).toMatchObject({ id: user.id, mfaEnabled: true });
    expect((await get(t.app, '/me', bearer(body.tokens?.accessToken ?? ''))).statusCode).toBe(200);

    // From now on the user signs in with a code.
    expect((await challengeFor(user.email, user.password)).mfaRequired).toBe(true);
  });
});

describe('audit chain', () => {
  it('is intact after every sign-in, MFA, enrolment and lockout event written by the tests above', async () => {
    const result = await verifyAuditChain(t.db);
    expect(result.checkedRows).toBeGreaterThan(20);
    expect(result).toMatchObject({ ok: true, breaks: [] });
  });
});
