import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { Grant } from '@kiki/shared/permissions';
import { appendAudit } from '../audit/audit.service';
import type { Database } from '../db/database';
import { assertNotLocked, recordFailedAttempt } from './lockout';
import { countUnusedRecoveryCodes } from './mfa.service';
import { assertPasswordPolicy, hashPassword, verifyPassword } from './password';
import type { RequestContext } from './request-context';
import { revokeFamily } from './sessions.service';

export interface AccountUser {
  id: string;
  orgId: string;
  email: string;
  displayName: string;
  mfaEnabled: boolean;
}

type Subject = { userId: string; orgId: string };

export async function loadAccountUser(db: Kysely<Database>, subject: Subject): Promise<AccountUser> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'org_id', 'email', 'display_name', 'mfa_enabled'])
    .where('id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('UNAUTHENTICATED', 'This account no longer exists; sign in again.');
  return {
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    displayName: row.display_name,
    mfaEnabled: row.mfa_enabled,
  };
}

/** Who the caller is: enough for the desktop to show the team member, their agency and what they may do. */
export async function loadAccount(db: Kysely<Database>, subject: Subject) {
  const [user, org, memberships, recoveryCodesLeft] = await Promise.all([
    loadAccountUser(db, subject),
    db
      .selectFrom('organizations')
      .select(['id', 'name', 'mfa_required'])
      .where('id', '=', subject.orgId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('memberships')
      .select(['role', 'client_ids'])
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .orderBy('role')
      .execute(),
    countUnusedRecoveryCodes(db, subject),
  ]);
  const grants: Grant[] = memberships.map((m) => ({ role: m.role, clientIds: m.client_ids }));
  return { user, org: { id: org.id, name: org.name, mfaRequired: org.mfa_required }, grants, recoveryCodesLeft };
}

/** Ends the caller's session: its refresh-token family is revoked and its access tokens stop working. */
export async function logout(
  db: Kysely<Database>,
  subject: Subject & { sessionId: string },
  context: RequestContext,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await revokeFamily(trx, subject.orgId, subject.sessionId, 'logout', now);
    await appendAudit(trx, {
      orgId: subject.orgId,
      actorUserId: subject.userId,
      action: 'auth.logout',
      entityType: 'session',
      entityId: subject.sessionId,
      ip: context.ip,
      requestId: context.requestId,
    });
  });
}

/**
 * Changes the caller's password after checking the current one. Every other session of the user ends
 * (a changed password is usually a response to a suspected leak); the calling session stays signed in.
 */
export async function changePassword(
  db: Kysely<Database>,
  subject: Subject & { sessionId: string },
  input: { currentPassword: string; newPassword: string },
  context: RequestContext,
  now: Date,
): Promise<{ otherSessionsEnded: number }> {
  assertPasswordPolicy(input.newPassword);
  const row = await db
    .selectFrom('users')
    .select(['password_hash', 'locked_until'])
    .where('id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('UNAUTHENTICATED', 'This account no longer exists; sign in again.');
  assertNotLocked(row, now);
  const currentOk = await verifyPassword(row.password_hash, input.currentPassword);
  const newHash = currentOk ? await hashPassword(input.newPassword) : null;
  const outcome = await db.transaction().execute(async (trx) => {
    const audit = (action: string, data: Record<string, unknown>) =>
      appendAudit(trx, {
        orgId: subject.orgId,
        actorUserId: subject.userId,
        action,
        entityType: 'user',
        entityId: subject.userId,
        data,
        ip: context.ip,
        requestId: context.requestId,
      });
    if (newHash === null) {
      const { failedCount } = await recordFailedAttempt(trx, subject.orgId, subject.userId, now);
      await audit('auth.password.change_failed', { failedCount });
      return null;
    }
    await trx
      .updateTable('users')
      .set({ password_hash: newHash, updated_at: now })
      .where('id', '=', subject.userId)
      .where('org_id', '=', subject.orgId)
      .execute();
    const others = await trx
      .selectFrom('sessions')
      .select('id')
      .where('org_id', '=', subject.orgId)
      .where('user_id', '=', subject.userId)
      .where('id', '!=', subject.sessionId)
      .where('revoked_at', 'is', null)
      .execute();
    for (const session of others) await revokeFamily(trx, subject.orgId, session.id, 'password_changed', now);
    await audit('auth.password.changed', { otherSessionsEnded: others.length });
    return { otherSessionsEnded: others.length };
  });
  if (outcome === null) {
    throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong; the password was not changed.');
  }
  return outcome;
}
