import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { appendAudit } from '../audit/audit.service';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { signAccessToken } from './jwt';
import type { RequestContext } from './request-context';
import { revokeFamily } from './sessions.service';

export type TokenSettings = Pick<
  Config,
  'jwtSecret' | 'jwtIssuer' | 'jwtAudience' | 'accessTokenTtlSeconds' | 'refreshTokenTtlDays'
>;

export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  sessionId: string;
  userId: string;
  orgId: string;
}

/** 256 random bits: unguessable, so a fast hash (no salt, no argon2) is enough to store it. */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function refreshExpiry(settings: TokenSettings, now: Date): Date {
  return new Date(now.getTime() + settings.refreshTokenTtlDays * 86_400_000);
}

/** Starts a session (a new refresh-token family) and issues its first token pair. */
export async function issueSession(
  trx: Transaction<Database>,
  settings: TokenSettings,
  subject: { userId: string; orgId: string },
  context: RequestContext,
  now: Date,
): Promise<IssuedTokens> {
  const sessionId = newId();
  const refreshToken = generateRefreshToken();
  const expiresAt = refreshExpiry(settings, now);
  await trx
    .insertInto('sessions')
    .values({
      id: sessionId,
      org_id: subject.orgId,
      user_id: subject.userId,
      created_at: now,
      last_used_at: now,
      expires_at: expiresAt,
      user_agent: context.userAgent,
      ip: context.ip,
    })
    .execute();
  await trx
    .insertInto('refresh_tokens')
    .values({
      id: newId(),
      org_id: subject.orgId,
      user_id: subject.userId,
      family_id: sessionId,
      token_hash: hashToken(refreshToken),
      created_at: now,
      expires_at: expiresAt,
      user_agent: context.userAgent,
      ip: context.ip,
    })
    .execute();
  const access = await signAccessToken(settings, { ...subject, sessionId }, now);
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken,
    refreshTokenExpiresAt: expiresAt,
    sessionId,
    userId: subject.userId,
    orgId: subject.orgId,
  };
}

type RotationOutcome = { kind: 'rotated'; tokens: IssuedTokens } | { kind: 'rejected'; error: AppError };

/**
 * Exchanges a refresh token for a new pair. The old token is consumed by a conditional UPDATE, so of two
 * concurrent refreshes with one token exactly one wins; the loser sees a consumed token, which is exactly
 * what a replayed stolen token looks like, so the whole family is revoked (OAuth 2.0 Security BCP 4.14.2).
 */
export async function rotateRefreshToken(
  db: Kysely<Database>,
  settings: TokenSettings,
  refreshToken: string,
  context: RequestContext,
  now: Date,
): Promise<IssuedTokens> {
  const tokenHash = hashToken(refreshToken);
  const outcome = await db.transaction().execute(async (trx): Promise<RotationOutcome> => {
    const consumed = await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now, revoked_reason: 'rotated', last_used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['id', 'org_id', 'user_id', 'family_id'])
      .executeTakeFirst();
    if (consumed === undefined) return rejectUnusableToken(trx, tokenHash, context, now);

    const owner = await trx
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.status', 'sessions.revoked_at'])
      .where('sessions.id', '=', consumed.family_id)
      .where('sessions.org_id', '=', consumed.org_id)
      .executeTakeFirst();
    if (owner === undefined || owner.revoked_at !== null) {
      return {
        kind: 'rejected',
        error: new AppError('UNAUTHENTICATED', 'This session has ended; sign in again.'),
      };
    }
    if (owner.status !== 'active') {
      await revokeFamily(trx, consumed.org_id, consumed.family_id, 'user_disabled', now);
      await appendAudit(trx, {
        orgId: consumed.org_id,
        actorUserId: consumed.user_id,
        action: 'auth.session.revoked',
        entityType: 'session',
        entityId: consumed.family_id,
        data: { reason: 'user_disabled' },
        ip: context.ip,
        requestId: context.requestId,
      });
      return {
        kind: 'rejected',
        error: new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an agency admin to re-enable it.'),
      };
    }

    const next = generateRefreshToken();
    const nextId = newId();
    const expiresAt = refreshExpiry(settings, now);
    await trx
      .insertInto('refresh_tokens')
      .values({
        id: nextId,
        org_id: consumed.org_id,
        user_id: consumed.user_id,
        family_id: consumed.family_id,
        token_hash: hashToken(next),
        created_at: now,
        expires_at: expiresAt,
        user_agent: context.userAgent,
        ip: context.ip,
      })
      .execute();
    await trx.updateTable('refresh_tokens').set({ replaced_by_id: nextId }).where('id', '=', consumed.id).execute();
    await trx
      .updateTable('sessions')
      .set({ last_used_at: now, expires_at: expiresAt, ip: context.ip, user_agent: context.userAgent })
      .where('id', '=', consumed.family_id)
      .execute();
    await appendAudit(trx, {
      orgId: consumed.org_id,
      actorUserId: consumed.user_id,
      action: 'auth.token.refreshed',
      entityType: 'session',
      entityId: consumed.family_id,
      ip: context.ip,
      requestId: context.requestId,
    });
    const access = await signAccessToken(
      settings,
      { userId: consumed.user_id, orgId: consumed.org_id, sessionId: consumed.family_id },
      now,
    );
    return {
      kind: 'rotated',
      tokens: {
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt,
        refreshToken: next,
        refreshTokenExpiresAt: expiresAt,
        sessionId: consumed.family_id,
        userId: consumed.user_id,
        orgId: consumed.org_id,
      },
    };
  });
  // Rejections commit first: a detected reuse must revoke the family and be audited even though the caller fails.
  if (outcome.kind === 'rejected') throw outcome.error;
  return outcome.tokens;
}

async function rejectUnusableToken(
  trx: Transaction<Database>,
  tokenHash: string,
  context: RequestContext,
  now: Date,
): Promise<RotationOutcome> {
  const known = await trx
    .selectFrom('refresh_tokens')
    .select(['id', 'org_id', 'user_id', 'family_id', 'revoked_reason', 'revoked_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (known === undefined) {
    return {
      kind: 'rejected',
      error: new AppError('UNAUTHENTICATED', 'This refresh token is not valid; sign in again.'),
    };
  }
  if (known.revoked_reason === 'rotated') {
    const revoked = await revokeFamily(trx, known.org_id, known.family_id, 'refresh_token_reused', now);
    await appendAudit(trx, {
      orgId: known.org_id,
      actorUserId: known.user_id,
      action: 'auth.token.reused',
      entityType: 'session',
      entityId: known.family_id,
      data: { refreshTokenId: known.id, revokedTokens: revoked },
      ip: context.ip,
      requestId: context.requestId,
    });
    return {
      kind: 'rejected',
      error: new AppError(
        'TOKEN_REUSED',
        'This refresh token was already used, so the session was ended to protect the account; sign in again.',
      ),
    };
  }
  if (known.revoked_at === null) {
    return { kind: 'rejected', error: new AppError('TOKEN_EXPIRED', 'The session has expired; sign in again.') };
  }
  return { kind: 'rejected', error: new AppError('UNAUTHENTICATED', 'This session has ended; sign in again.') };
}
