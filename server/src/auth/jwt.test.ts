import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { signAccessToken, signChallengeToken, verifyAccessToken, verifyChallengeToken, type JwtSettings } from './jwt';

const settings: JwtSettings = {
  jwtSecret: 'x'.repeat(48),
  jwtIssuer: 'kiki-test',
  jwtAudience: 'kiki-desktop-test',
  accessTokenTtlSeconds: 900,
};
const key = new TextEncoder().encode(settings.jwtSecret);
const subject = { userId: newId(), orgId: newId(), sessionId: newId() };
const now = new Date('2026-01-01T12:00:00Z');

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function craft(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  alg: 'HS256' | 'HS512' = 'HS256',
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(key);
}

const goodClaims = {
  iss: settings.jwtIssuer,
  aud: settings.jwtAudience,
  sub: subject.userId,
  org: subject.orgId,
  sid: subject.sessionId,
  typ: 'access',
  iat: Math.floor(now.getTime() / 1000),
  exp: Math.floor(now.getTime() / 1000) + 900,
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

describe('access tokens', () => {
  it('round-trips subject, agency and session with the configured lifetime', async () => {
    const { token, expiresAt } = await signAccessToken(settings, subject, now);
    expect(expiresAt.getTime()).toBe(now.getTime() + 900_000);
    const claims = await verifyAccessToken(settings, token, now);
    expect(claims).toEqual({ ...subject, expiresAt });
  });

  it('accepts a hand-crafted token with exactly the expected header and claims (control for the cases below)', async () => {
    const token = await craft({ typ: 'at+jwt' }, goodClaims);
    await expect(verifyAccessToken(settings, token, now)).resolves.toMatchObject({ userId: subject.userId });
  });

  it('rejects alg none', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(goodClaims)}.`;
    await expectCode(verifyAccessToken(settings, token, now), 'UNAUTHENTICATED');
  });

  it('rejects another HMAC algorithm even with the right key', async () => {
    const token = await craft({ typ: 'at+jwt' }, goodClaims, 'HS512');
    await expectCode(verifyAccessToken(settings, token, now), 'UNAUTHENTICATED');
  });

  it('rejects a wrong issuer, audience, header typ or claim typ', async () => {
    for (const [header, claims] of [
      [{ typ: 'at+jwt' }, { ...goodClaims, iss: 'someone-else' }],
      [{ typ: 'at+jwt' }, { ...goodClaims, aud: 'another-app' }],
      [{ typ: 'JWT' }, goodClaims],
      [{}, goodClaims],
      [{ typ: 'at+jwt' }, { ...goodClaims, typ: 'refresh' }],
      [{ typ: 'at+jwt' }, { ...goodClaims, sid: undefined }],
    ] as const) {
      await expectCode(verifyAccessToken(settings, await craft(header, claims), now), 'UNAUTHENTICATED');
    }
  });

  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    const { token } = await signAccessToken(settings, subject, now);
    await expectCode(verifyAccessToken(settings, token, new Date(now.getTime() + 901_000)), 'TOKEN_EXPIRED');
  });

  it('rejects a tampered payload and a token signed with another secret', async () => {
    const { token } = await signAccessToken(settings, subject, now);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${b64({ ...goodClaims, sub: newId() })}.${signature}`;
    await expectCode(verifyAccessToken(settings, forged, now), 'UNAUTHENTICATED');
    const other = await signAccessToken({ ...settings, jwtSecret: 'y'.repeat(48) }, subject, now);
    await expectCode(verifyAccessToken(settings, other.token, now), 'UNAUTHENTICATED');
    await expectCode(verifyAccessToken(settings, 'not.a.jwt', now), 'UNAUTHENTICATED');
  });
});

describe('challenge tokens', () => {
  it('work only for their own purpose and never as access tokens', async () => {
    const { token } = await signChallengeToken(settings, { ...subject, purpose: 'mfa' }, now);
    await expect(verifyChallengeToken(settings, token, 'mfa', now)).resolves.toEqual({
      userId: subject.userId,
      orgId: subject.orgId,
      purpose: 'mfa',
    });
    await expectCode(verifyChallengeToken(settings, token, 'mfa_enroll', now), 'UNAUTHENTICATED');
    await expectCode(verifyAccessToken(settings, token, now), 'UNAUTHENTICATED');
    const access = await signAccessToken(settings, subject, now);
    await expectCode(verifyChallengeToken(settings, access.token, 'mfa', now), 'UNAUTHENTICATED');
  });

  it('expire after five minutes', async () => {
    const { token } = await signChallengeToken(settings, { ...subject, purpose: 'mfa' }, now);
    await expectCode(verifyChallengeToken(settings, token, 'mfa', new Date(now.getTime() + 301_000)), 'TOKEN_EXPIRED');
  });
});
