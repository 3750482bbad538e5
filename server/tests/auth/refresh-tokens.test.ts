import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, issueSession, rotateRefreshToken, type TokenSettings } from '../../src/auth/tokens.service';
import { verifyAccessToken } from '../../src/auth/jwt';
import { NO_REQUEST_CONTEXT } from '../../src/auth/request-context';
import { createOrg, createUser } from '../helpers/factories';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';

const settings: TokenSettings = {
  jwtSecret: 'refresh-test-secret-'.repeat(3),
  jwtIssuer: 'kiki-test',
  jwtAudience: 'kiki-test-desktop',
  accessTokenTtlSeconds: 900,
  refreshTokenTtlDays: 30,
};

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb.destroy();
});

async function newSession(now = new Date()) {
  const org = await createOrg(tdb.db);
  const user = await createUser(tdb.db, { orgId: org.id, role: 'operator' });
  const tokens = await tdb.db
    .transaction()
    .execute((trx) => issueSession(trx, settings, { userId: user.id, orgId: org.id }, NO_REQUEST_CONTEXT, now));
  return { org, user, tokens };
}

async function familyState(sessionId: string) {
  const session = await tdb.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow();
  const tokens = await tdb.db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', sessionId).execute();
  return { session, tokens };
}

async function auditActions(orgId: string): Promise<string[]> {
  const rows = await tdb.db
    .selectFrom('audit_log')
    .select('action')
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

describe('refresh token rotation', () => {
  it('stores only the sha256 of the token', async () => {
    const { tokens } = await newSession();
    const { tokens: rows } = await familyState(tokens.sessionId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(hashToken(tokens.refreshToken));
    expect(rows[0]?.token_hash).not.toContain(tokens.refreshToken);
  });

  it('rotates on every use: a new pair for the same session, the old token consumed', async () => {
    const { org, tokens } = await newSession();
    const next = await rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date());
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.sessionId).toBe(tokens.sessionId);
    expect((await verifyAccessToken(settings, next.accessToken)).sessionId).toBe(tokens.sessionId);
    const { tokens: rows } = await familyState(tokens.sessionId);
    const old = rows.find((r) => r.token_hash === hashToken(tokens.refreshToken));
    const fresh = rows.find((r) => r.token_hash === hashToken(next.refreshToken));
    expect(old?.revoked_reason).toBe('rotated');
    expect(old?.replaced_by_id).toBe(fresh?.id);
    expect(fresh?.revoked_at).toBeNull();
    const third = await rotateRefreshToken(tdb.db, settings, next.refreshToken, NO_REQUEST_CONTEXT, new Date());
    expect(third.refreshToken).not.toBe(next.refreshToken);
    expect(await auditActions(org.id)).toEqual(['auth.token.refreshed', 'auth.token.refreshed']);
  });

  it('reusing a rotated token revokes the whole family, including the newest token, and is audited', async () => {
    const { org, tokens } = await newSession();
    const next = await rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date());
    await expect(
      rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date()),
    ).rejects.toMatchObject({ code: 'TOKEN_REUSED' });
    const { session, tokens: rows } = await familyState(tokens.sessionId);
    expect(session.revoked_reason).toBe('refresh_token_reused');
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
    await expect(
      rotateRefreshToken(tdb.db, settings, next.refreshToken, NO_REQUEST_CONTEXT, new Date()),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await auditActions(org.id)).toEqual(['auth.token.refreshed', 'auth.token.reused']);
  });

  it('two concurrent refreshes with one token: exactly one succeeds, the other is treated as reuse', async () => {
    for (let round = 0; round < 5; round++) {
      const { tokens } = await newSession();
      const results = await Promise.allSettled([
        rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date()),
        rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date()),
      ]);
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.reason).toMatchObject({ code: 'TOKEN_REUSED' });
      const { session } = await familyState(tokens.sessionId);
      expect(session.revoked_reason).toBe('refresh_token_reused');
    }
  });

  it('refuses unknown and expired tokens without touching anything', async () => {
    await expect(
      rotateRefreshToken(tdb.db, settings, 'not-a-real-token', NO_REQUEST_CONTEXT, new Date()),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const issuedAt = new Date(Date.now() - 31 * 86_400_000);
    const { tokens } = await newSession(issuedAt);
    await expect(
      rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date()),
    ).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    const { session } = await familyState(tokens.sessionId);
    expect(session.revoked_at).toBeNull();
  });

  it('a disabled user cannot refresh, and the session is ended', async () => {
    const { user, tokens } = await newSession();
    await tdb.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    await expect(
      rotateRefreshToken(tdb.db, settings, tokens.refreshToken, NO_REQUEST_CONTEXT, new Date()),
    ).rejects.toMatchObject({ code: 'ACCOUNT_DISABLED' });
    const { session } = await familyState(tokens.sessionId);
    expect(session.revoked_reason).toBe('user_disabled');
  });
});
