import type { Transaction } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import type { Database } from '../db/database';

/** Failures allowed before the first lock; each failure after that doubles the lock, up to an hour. */
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_BASE_SECONDS = 60;
export const LOCKOUT_MAX_SECONDS = 3600;

/** How long an account is locked after its `failedCount`-th consecutive failure (0 = not locked). */
export function lockDurationSeconds(failedCount: number): number {
  if (failedCount < LOCKOUT_THRESHOLD) return 0;
  const doublings = Math.min(failedCount - LOCKOUT_THRESHOLD, 12);
  return Math.min(LOCKOUT_BASE_SECONDS * 2 ** doublings, LOCKOUT_MAX_SECONDS);
}

export function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

export function accountLockedError(lockedUntil: Date, now: Date): AppError {
  const retryAfterSeconds = secondsUntil(lockedUntil, now);
  return new AppError(
    'ACCOUNT_LOCKED',
    `Too many failed sign-in attempts: this account is locked; try again in ${retryAfterSeconds} seconds or ask an admin.`,
    { retryAfterSeconds },
  );
}

/** Throws ACCOUNT_LOCKED while a lock is in force; attempts during a lock are not even checked. */
export function assertNotLocked(user: { locked_until: Date | null }, now: Date): void {
  if (user.locked_until !== null && user.locked_until > now) throw accountLockedError(user.locked_until, now);
}

/** Counts a failed password or MFA code and locks the account once the threshold is reached. */
export async function recordFailedAttempt(
  trx: Transaction<Database>,
  orgId: string,
  userId: string,
  now: Date,
): Promise<{ failedCount: number; lockedUntil: Date | null }> {
  // The increment is a single UPDATE, so concurrent failures cannot overwrite each other's count.
  const row = await trx
    .updateTable('users')
    .set((eb) => ({ failed_login_count: eb('failed_login_count', '+', 1) }))
    .where('id', '=', userId)
    .where('org_id', '=', orgId)
    .returning('failed_login_count')
    .executeTakeFirstOrThrow();
  const seconds = lockDurationSeconds(row.failed_login_count);
  if (seconds === 0) return { failedCount: row.failed_login_count, lockedUntil: null };
  const lockedUntil = new Date(now.getTime() + seconds * 1000);
  await trx.updateTable('users').set({ locked_until: lockedUntil }).where('id', '=', userId).execute();
  return { failedCount: row.failed_login_count, lockedUntil };
}

export async function clearFailedAttempts(trx: Transaction<Database>, orgId: string, userId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set({ failed_login_count: 0, locked_until: null })
    .where('id', '=', userId)
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('failed_login_count', '>', 0), eb('locked_until', 'is not', null)]))
    .execute();
}
