import type { Kysely, Transaction } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { appendAudit } from '../audit/audit.service';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { recordOrphanAuthEvent } from './auth-events';
import { signChallengeToken, verifyChallengeToken, type ChallengePurpose } from './jwt';
import { accountLockedError, clearFailedAttempts, recordFailedAttempt } from './lockout';
import { confirmMfaEnrollment, verifySecondFactor, type SecondFactor } from './mfa.service';
import { burnPasswordVerification, hashPassword, passwordNeedsRehash, verifyPassword } from './password';
import type { RequestContext } from './request-context';
import { issueSession, type IssuedTokens } from './tokens.service';

export interface AuthDeps {
  db: Kysely<Database>;
  config: Config;
  now: () => Date;
  /** Told about every failed sign-in step (metrics); `reason` is a short stable label. */
  onFailure?: (reason: string) => void;
}

export type SignInResult =
  | { kind: 'tokens'; tokens: IssuedTokens }
  | { kind: 'challenge'; purpose: ChallengePurpose; challengeToken: string; challengeExpiresAt: Date };

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError; reason: string };

function fail<T>(reason: string, error: AppError): Outcome<T> {
  return { ok: false, error, reason };
}

/** Runs `work` in a transaction and throws its failure only after commit, so failure audit rows persist. */
async function commitThenThrow<T>(deps: AuthDeps, work: (trx: Transaction<Database>) => Promise<Outcome<T>>) {
  const outcome = await deps.db.transaction().execute(work);
  if (!outcome.ok) {
    deps.onFailure?.(outcome.reason);
    throw outcome.error;
  }
  return outcome.value;
}

const INVALID_CREDENTIALS = () =>
  new AppError('INVALID_CREDENTIALS', 'The email or password is wrong; check them and try again.');
const DISABLED = () =>
  new AppError('ACCOUNT_DISABLED', 'This account is disabled; ask an agency admin to re-enable it.');

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Step one of sign-in: email and password. Returns tokens, or a challenge for the MFA step. */
export async function signIn(
  deps: AuthDeps,
  input: { email: string; password: string; orgId?: string | undefined },
  context: RequestContext,
): Promise<SignInResult> {
  const now = deps.now();
  const email = normalizeEmail(input.email);
  let query = deps.db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .select([
      'users.id',
      'users.org_id',
      'users.status',
      'users.password_hash',
      'users.mfa_enabled',
      'users.locked_until',
      'organizations.mfa_required',
    ])
    .where('users.email', '=', email)
    .limit(2);
  if (input.orgId !== undefined) query = query.where('users.org_id', '=', input.orgId);
  const candidates = await query.execute();
  const user = candidates[0];

  if (user === undefined) {
    // Same argon2 work as a real account, so timing does not tell an attacker which emails exist.
    await burnPasswordVerification(input.password);
    await recordOrphanAuthEvent(deps.db, 'auth.login.failed.unknown_email', email, context, now);
    deps.onFailure?.('unknown_email');
    throw INVALID_CREDENTIALS();
  }
  if (candidates.length > 1) {
    await burnPasswordVerification(input.password);
    throw new AppError(
      'VALIDATION_FAILED',
      'This email belongs to more than one agency: sign in again and choose the agency (orgId).',
    );
  }

  const subject = { userId: user.id, orgId: user.org_id };
  const audit = (trx: Transaction<Database>, action: string, data?: Record<string, unknown>) =>
    appendAudit(trx, {
      orgId: user.org_id,
      actorUserId: user.id,
      action,
      entityType: 'user',
      entityId: user.id,
      data: { ...data, userAgent: context.userAgent },
      ip: context.ip,
      requestId: context.requestId,
    });

  if (user.locked_until !== null && user.locked_until > now) {
    const lockedUntil = user.locked_until;
    return commitThenThrow(deps, async (trx) => {
      await audit(trx, 'auth.login.failed', { reason: 'locked' });
      return fail('locked', accountLockedError(lockedUntil, now));
    });
  }

  const passwordOk = await verifyPassword(user.password_hash, input.password);
  return commitThenThrow(deps, async (trx): Promise<Outcome<SignInResult>> => {
    if (!passwordOk) {
      const { failedCount, lockedUntil } = await recordFailedAttempt(trx, user.org_id, user.id, now);
      await audit(trx, 'auth.login.failed', { reason: 'bad_password', failedCount, lockedUntil });
      return fail('bad_password', INVALID_CREDENTIALS());
    }
    if (user.status !== 'active') {
      await audit(trx, 'auth.login.failed', { reason: 'disabled' });
      return fail('disabled', DISABLED());
    }
    if (passwordNeedsRehash(user.password_hash)) {
      await trx
        .updateTable('users')
        .set({ password_hash: await hashPassword(input.password) })
        .where('id', '=', user.id)
        .execute();
    }
    if (user.mfa_enabled || user.mfa_required) {
      // The failure count is NOT cleared here: a password alone must not buy more guesses at the MFA code.
      const purpose: ChallengePurpose = user.mfa_enabled ? 'mfa' : 'mfa_enroll';
      await audit(trx, 'auth.login.password_accepted', { next: purpose });
      const challenge = await signChallengeToken(deps.config, { ...subject, purpose }, now);
      return {
        ok: true,
        value: { kind: 'challenge', purpose, challengeToken: challenge.token, challengeExpiresAt: challenge.expiresAt },
      };
    }
    await clearFailedAttempts(trx, user.org_id, user.id);
    const tokens = await issueSession(trx, deps.config, subject, context, now);
    await audit(trx, 'auth.login.succeeded', { method: 'password', sessionId: tokens.sessionId });
    return { ok: true, value: { kind: 'tokens', tokens } };
  });
}

type ChallengeUser = { id: string; org_id: string; status: 'active' | 'disabled'; locked_until: Date | null };

function loadChallengeUser(
  trx: Transaction<Database>,
  subject: { userId: string; orgId: string },
): Promise<ChallengeUser | undefined> {
  return trx
    .selectFrom('users')
    .select(['id', 'org_id', 'status', 'locked_until'])
    .where('id', '=', subject.userId)
    .where('org_id', '=', subject.orgId)
    .executeTakeFirst();
}

function challengeBlocker(user: ChallengeUser | undefined, now: Date): Outcome<never> | null {
  if (user === undefined) return fail('unknown_user', new AppError('UNAUTHENTICATED', 'Sign in again.'));
  if (user.status !== 'active') return fail('disabled', DISABLED());
  if (user.locked_until !== null && user.locked_until > now)
    return fail('locked', accountLockedError(user.locked_until, now));
  return null;
}

/** Step two of sign-in: a TOTP code or a recovery code against the challenge from step one. */
export async function completeMfaSignIn(
  deps: AuthDeps,
  input: { challengeToken: string; factor: SecondFactor },
  context: RequestContext,
): Promise<IssuedTokens> {
  const now = deps.now();
  let subject: { userId: string; orgId: string };
  try {
    subject = await verifyChallengeToken(deps.config, input.challengeToken, 'mfa', now);
  } catch (error) {
    deps.onFailure?.('bad_challenge');
    throw error;
  }
  return commitThenThrow(deps, async (trx): Promise<Outcome<IssuedTokens>> => {
    const user = await loadChallengeUser(trx, subject);
    const blocked = challengeBlocker(user, now);
    const audit = (action: string, data: Record<string, unknown>) =>
      appendAudit(trx, {
        orgId: subject.orgId,
        actorUserId: subject.userId,
        action,
        entityType: 'user',
        entityId: subject.userId,
        data: { ...data, userAgent: context.userAgent },
        ip: context.ip,
        requestId: context.requestId,
      });
    if (blocked !== null) {
      if (user !== undefined) await audit('auth.mfa.failed', { reason: blocked.ok ? null : blocked.reason });
      return blocked;
    }
    const method = await verifySecondFactor(trx, deps.config, subject, input.factor, now);
    if (method === null) {
      const { failedCount, lockedUntil } = await recordFailedAttempt(trx, subject.orgId, subject.userId, now);
      const kind = 'recoveryCode' in input.factor ? 'recovery_code' : 'totp';
      await audit('auth.mfa.failed', { reason: `bad_${kind}`, failedCount, lockedUntil });
      return fail(
        'bad_mfa_code',
        new AppError('MFA_INVALID', 'That code is wrong or was already used; enter the newest code from your app.'),
      );
    }
    await clearFailedAttempts(trx, subject.orgId, subject.userId);
    const tokens = await issueSession(trx, deps.config, subject, context, now);
    await audit('auth.login.succeeded', { method, sessionId: tokens.sessionId });
    return { ok: true, value: tokens };
  });
}

/**
 * Confirms TOTP enrolment. With an enrolment challenge (agency requires MFA, user had none) it also
 * completes the sign-in and returns tokens; for a signed-in user it only turns MFA on.
 */
export async function confirmEnrollment(
  deps: AuthDeps,
  input: { subject: { userId: string; orgId: string }; code: string; signIn: boolean },
  context: RequestContext,
): Promise<{ recoveryCodes: string[]; tokens: IssuedTokens | null }> {
  const now = deps.now();
  const { subject } = input;
  return commitThenThrow(deps, async (trx) => {
    const blocked = challengeBlocker(await loadChallengeUser(trx, subject), now);
    if (blocked !== null) return blocked;
    const confirmed = await confirmMfaEnrollment(trx, deps.config, subject, input.code, context, now);
    if (confirmed === null) {
      if (input.signIn) await recordFailedAttempt(trx, subject.orgId, subject.userId, now);
      return fail(
        'bad_mfa_code',
        new AppError(
          'MFA_INVALID',
          'That code does not match; check the time on your phone and enter the newest code.',
        ),
      );
    }
    let tokens: IssuedTokens | null = null;
    if (input.signIn) {
      await clearFailedAttempts(trx, subject.orgId, subject.userId);
      tokens = await issueSession(trx, deps.config, subject, context, now);
      await appendAudit(trx, {
        orgId: subject.orgId,
        actorUserId: subject.userId,
        action: 'auth.login.succeeded',
        entityType: 'user',
        entityId: subject.userId,
        data: { method: 'totp_enrollment', sessionId: tokens.sessionId, userAgent: context.userAgent },
        ip: context.ip,
        requestId: context.requestId,
      });
    }
    return { ok: true, value: { recoveryCodes: confirmed.recoveryCodes, tokens } };
  });
}
