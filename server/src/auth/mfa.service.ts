import type { Kysely, Transaction } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { appendAudit } from '../audit/audit.service';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes';
import type { RequestContext } from './request-context';
import { openSecret, sealSecret } from './secret-box';
import { generateTotpSecret, isFreshTotpStep, matchTotpStep, totpUri } from './totp';

export type MfaSettings = Pick<Config, 'totpEncryptionKey' | 'mfaIssuer'>;

/** An enrolment not confirmed within this time must be started again (the QR code may have leaked). */
export const ENROLLMENT_TTL_MS = 30 * 60_000;

type Subject = { orgId: string; userId: string };

/** The sealed secret is bound to its user id, so copying it onto another user's row makes it undecryptable. */
function secretContext(userId: string): string {
  return userId;
}

/** Begins TOTP enrolment: returns the secret (for the QR code) once and keeps it sealed until confirmed. */
export async function startMfaEnrollment(
  db: Kysely<Database>,
  settings: MfaSettings,
  subject: Subject,
  context: RequestContext,
  now: Date,
): Promise<{ secret: string; otpauthUri: string }> {
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select(['email', 'mfa_enabled'])
      .where('id', '=', subject.userId)
      .where('org_id', '=', subject.orgId)
      .executeTakeFirst();
    if (user === undefined) throw new AppError('NOT_FOUND', 'This user no longer exists.');
    if (user.mfa_enabled) {
      throw new AppError(
        'CONFLICT',
        'Two-factor sign-in is already on; ask an admin to reset it to enrol a new device.',
      );
    }
    const secret = generateTotpSecret();
    const sealed = sealSecret(settings.totpEncryptionKey, secret, secretContext(subject.userId));
    await trx
      .insertInto('mfa_enrollments')
      .values({ user_id: subject.userId, org_id: subject.orgId, secret_enc: sealed, created_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ secret_enc: sealed, created_at: now }))
      .execute();
    await appendAudit(trx, {
      orgId: subject.orgId,
      actorUserId: subject.userId,
      action: 'auth.mfa.enrollment_started',
      entityType: 'user',
      entityId: subject.userId,
      ip: context.ip,
      requestId: context.requestId,
    });
    return {
      secret,
      otpauthUri: totpUri({ secretBase32: secret, issuer: settings.mfaIssuer, accountName: user.email }),
    };
  });
}

/**
 * Finishes enrolment with a code from the app: turns MFA on, stores the secret sealed and returns ten
 * recovery codes. This is the only time the codes exist in clear text. A wrong code returns null after
 * auditing it, so the caller can commit that row and then fail.
 */
export async function confirmMfaEnrollment(
  trx: Transaction<Database>,
  settings: MfaSettings,
  subject: Subject,
  code: string,
  context: RequestContext,
  now: Date,
): Promise<{ recoveryCodes: string[] } | null> {
  const pending = await trx
    .selectFrom('mfa_enrollments')
    .select(['secret_enc', 'created_at'])
    .where('user_id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .forUpdate()
    .executeTakeFirst();
  if (pending === undefined || now.getTime() - pending.created_at.getTime() > ENROLLMENT_TTL_MS) {
    throw new AppError('CONFLICT', 'No two-factor enrolment is in progress (or it expired); start enrolment again.');
  }
  const secret = openSecret(settings.totpEncryptionKey, pending.secret_enc, secretContext(subject.userId));
  const step = matchTotpStep(secret, code, now.getTime());
  if (step === null) {
    await appendAudit(trx, {
      orgId: subject.orgId,
      actorUserId: subject.userId,
      action: 'auth.mfa.enrollment_failed',
      entityType: 'user',
      entityId: subject.userId,
      ip: context.ip,
      requestId: context.requestId,
    });
    return null;
  }
  await trx
    .updateTable('users')
    .set({ mfa_enabled: true, totp_secret_enc: pending.secret_enc, totp_last_used_step: step, updated_at: now })
    .where('id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .execute();
  await trx.deleteFrom('mfa_enrollments').where('user_id', '=', subject.userId).execute();
  const recoveryCodes = await replaceRecoveryCodes(trx, subject, now);
  await appendAudit(trx, {
    orgId: subject.orgId,
    actorUserId: subject.userId,
    action: 'auth.mfa.enabled',
    entityType: 'user',
    entityId: subject.userId,
    data: { recoveryCodes: recoveryCodes.length },
    ip: context.ip,
    requestId: context.requestId,
  });
  return { recoveryCodes };
}

async function replaceRecoveryCodes(trx: Transaction<Database>, subject: Subject, now: Date): Promise<string[]> {
  await trx.deleteFrom('recovery_codes').where('user_id', '=', subject.userId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await trx
    .insertInto('recovery_codes')
    .values(
      codes.map((code) => ({
        id: newId(),
        org_id: subject.orgId,
        user_id: subject.userId,
        code_hash: hashRecoveryCode(code),
        created_at: now,
      })),
    )
    .execute();
  return codes;
}

export type SecondFactor = { code: string } | { recoveryCode: string };

/**
 * Checks a TOTP code or a recovery code and consumes it: a TOTP step or recovery code is accepted once.
 * Returns the method used, or null when the factor is wrong (the caller counts the failure).
 */
export async function verifySecondFactor(
  trx: Transaction<Database>,
  settings: MfaSettings,
  subject: Subject,
  factor: SecondFactor,
  now: Date,
): Promise<'totp' | 'recovery_code' | null> {
  if ('recoveryCode' in factor) {
    const used = await trx
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('user_id', '=', subject.userId)
      .where('org_id', '=', subject.orgId)
      .where('code_hash', '=', hashRecoveryCode(factor.recoveryCode))
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return used === undefined ? null : 'recovery_code';
  }
  // The row lock serialises two sign-ins racing with the same code, so only one can move the step forward.
  const user = await trx
    .selectFrom('users')
    .select(['mfa_enabled', 'totp_secret_enc', 'totp_last_used_step'])
    .where('id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .forUpdate()
    .executeTakeFirst();
  if (user === undefined || !user.mfa_enabled || user.totp_secret_enc === null) return null;
  const secret = openSecret(settings.totpEncryptionKey, user.totp_secret_enc, secretContext(subject.userId));
  const step = matchTotpStep(secret, factor.code, now.getTime());
  if (step === null || !isFreshTotpStep(step, user.totp_last_used_step)) return null;
  await trx.updateTable('users').set({ totp_last_used_step: step }).where('id', '=', subject.userId).execute();
  return 'totp';
}

/**
 * Turns MFA off for a user who lost their device: secret, recovery codes and any pending enrolment go.
 * Returns false when the user does not exist in that agency.
 */
export async function resetMfa(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  actor: { actorUserId: string | null; ip?: string | null; requestId?: string | null } = { actorUserId: null },
): Promise<boolean> {
  const updated = await trx
    .updateTable('users')
    .set({ mfa_enabled: false, totp_secret_enc: null, totp_last_used_step: null, updated_at: new Date() })
    .where('id', '=', userId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (updated.numUpdatedRows === 0n) return false;
  await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).where('org_id', '=', orgId).execute();
  await trx.deleteFrom('mfa_enrollments').where('user_id', '=', userId).where('org_id', '=', orgId).execute();
  await appendAudit(trx, {
    orgId,
    actorUserId: actor.actorUserId,
    action: 'auth.mfa.reset',
    entityType: 'user',
    entityId: userId,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
  });
  return true;
}

/** How many unused recovery codes a user has left; shown so they know when to generate new ones. */
export async function countUnusedRecoveryCodes(db: Kysely<Database>, subject: Subject): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
