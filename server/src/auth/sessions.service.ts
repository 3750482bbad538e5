import type { Kysely, Transaction } from 'kysely';
import { appendAudit } from '../audit/audit.service';
import type { Database } from '../db/database';

export interface SessionSummary {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

/** Who asked for a revocation, for the audit row. `actorUserId: null` means the server or an admin CLI. */
export interface RevocationActor {
  actorUserId: string | null;
  ip?: string | null;
  requestId?: string | null;
}

const SYSTEM_ACTOR: RevocationActor = { actorUserId: null };

/** Live sessions (not revoked, not expired) of an agency, or of one of its users, newest first. */
export async function listSessions(
  db: Kysely<Database>,
  orgId: string,
  userId?: string,
  now: Date = new Date(),
): Promise<SessionSummary[]> {
  let query = db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'created_at', 'last_used_at', 'expires_at', 'user_agent', 'ip'])
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_used_at', 'desc')
    .orderBy('id', 'desc');
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    userAgent: row.user_agent,
    ip: row.ip,
  }));
}

/**
 * Ends a session and every refresh token in its family. Returns how many tokens were still live.
 * No audit row: callers audit with the reason they know.
 */
export async function revokeFamily(
  trx: Transaction<Database>,
  orgId: string,
  sessionId: string,
  reason: string,
  now: Date,
): Promise<number> {
  // Tokens before the session row: refresh rotation locks in that order, so concurrent logout and refresh
  // queue behind each other instead of deadlocking.
  const tokens = await trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('family_id', '=', sessionId)
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await trx
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .execute();
  return Number(tokens.numUpdatedRows);
}

/**
 * Revokes one session of the agency; with `userId`, only if it belongs to that user (a user ending their
 * own sessions). Returns false when no such live session exists, so the caller can answer 404.
 */
export async function revokeSession(
  trx: Transaction<Database>,
  params: { orgId: string; sessionId: string; userId?: string; reason: string },
  actor: RevocationActor = SYSTEM_ACTOR,
  now: Date = new Date(),
): Promise<boolean> {
  let query = trx
    .selectFrom('sessions')
    .select(['id', 'user_id'])
    .where('id', '=', params.sessionId)
    .where('org_id', '=', params.orgId)
    .where('revoked_at', 'is', null);
  if (params.userId !== undefined) query = query.where('user_id', '=', params.userId);
  const session = await query.executeTakeFirst();
  if (session === undefined) return false;
  await revokeFamily(trx, params.orgId, session.id, params.reason, now);
  await appendAudit(trx, {
    orgId: params.orgId,
    actorUserId: actor.actorUserId,
    action: 'auth.session.revoked',
    entityType: 'session',
    entityId: session.id,
    data: { userId: session.user_id, reason: params.reason },
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
  });
  return true;
}

/** Ends every session of a user at once (disable, password or MFA reset). Returns how many were live. */
export async function revokeAllUserSessions(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  reason: string,
  actor: RevocationActor = SYSTEM_ACTOR,
  now: Date = new Date(),
): Promise<number> {
  await trx
    .updateTable('refresh_tokens')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  const sessions = await trx
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  await appendAudit(trx, {
    orgId,
    actorUserId: actor.actorUserId,
    action: 'auth.sessions.revoked_all',
    entityType: 'user',
    entityId: userId,
    data: { reason, sessions: sessions.length },
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
  });
  return sessions.length;
}
