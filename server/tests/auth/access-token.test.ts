import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { signAccessToken } from '../../src/auth/jwt';
import type { TestUser } from '../helpers/factories';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { bearer, errorOf, get, login, type TokensBody } from './auth-test-helpers';

let t: TestApp;
let user: TestUser;
let sessionId: string;
let validToken: string;

beforeAll(async () => {
  t = await createTestApp();
  const org = await t.createOrg();
  user = await t.createUser({ orgId: org.id, role: 'owner' });
  validToken = (await login(t.app, user.email, user.password)).json<TokensBody>().accessToken;
  const session = await t.db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  sessionId = session.id;
});
afterAll(async () => {
  await t.destroy();
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: t.config.jwtIssuer,
    aud: t.config.jwtAudience,
    sub: user.id,
    org: user.orgId,
    sid: sessionId,
    typ: 'access',
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

function sign(payload: Record<string, unknown>, header: Record<string, unknown> = { typ: 'at+jwt' }, secret?: string) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(new TextEncoder().encode(secret ?? t.config.jwtSecret));
}

async function meWith(token: string) {
  const response = await get(t.app, '/me', bearer(token));
  return { status: response.statusCode, code: errorOf(response).code };
}

describe('access tokens at the HTTP edge', () => {
  it('a correctly made token is accepted (control)', async () => {
    expect(await meWith(validToken)).toEqual({ status: 200, code: undefined });
    expect(await meWith(await sign(claims()))).toEqual({ status: 200, code: undefined });
  });

  it('rejects alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`;
    expect(await meWith(token)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('rejects a wrong issuer, audience, header typ, claim typ, or a token signed with another key', async () => {
    const tokens = [
      await sign(claims({ iss: 'evil' })),
      await sign(claims({ aud: 'other-app' })),
      await sign(claims(), { typ: 'JWT' }),
      await sign(claims({ typ: 'refresh' })),
      await sign(claims(), { typ: 'at+jwt' }, 'another-secret-that-is-long-enough-xxxxxxx'),
    ];
    for (const token of tokens) expect(await meWith(token)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = await sign(claims({ iat: past, exp: past + 900 }));
    expect(await meWith(token)).toEqual({ status: 401, code: 'TOKEN_EXPIRED' });
    const issued = await signAccessToken(t.config, { userId: user.id, orgId: user.orgId, sessionId }, new Date(0));
    expect(await meWith(issued.token)).toEqual({ status: 401, code: 'TOKEN_EXPIRED' });
  });

  it('rejects a tampered payload (another user, another agency) under the original signature', async () => {
    const [header, , signature] = validToken.split('.');
    for (const change of [{ sub: newId() }, { org: newId() }, { sid: newId() }, { exp: 9_999_999_999 }]) {
      const forged = `${header}.${b64(claims(change))}.${signature}`;
      expect(await meWith(forged)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
  });

  it('a signed token naming another agency than the session’s is refused', async () => {
    const otherOrg = await t.createOrg();
    expect(await meWith(await sign(claims({ org: otherOrg.id })))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await meWith(await sign(claims({ sid: newId() })))).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('a public route ignores a bad token instead of failing', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz', headers: bearer('garbage') });
    expect(response.statusCode).toBe(200);
  });
});
