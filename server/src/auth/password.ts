import argon2 from 'argon2';
import { AppError } from '@kiki/shared/errors';

/**
 * OWASP Password Storage Cheat Sheet, argon2id option 2: m=19 MiB, t=2, p=1. Written out explicitly so a
 * library default change never silently weakens stored hashes.
 */
export const ARGON2_PARAMS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 12;
/** Bounds the argon2 input so a megabyte "password" cannot be used to burn CPU. */
export const PASSWORD_MAX_LENGTH = 256;

/** Throws VALIDATION_FAILED with a message saying what a valid password looks like. */
export function assertPasswordPolicy(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The password is too short: use at least ${PASSWORD_MIN_LENGTH} characters (a passphrase of a few words works well).`,
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `The password is too long: use at most ${PASSWORD_MAX_LENGTH} characters.`);
  }
  if (password.trim().length === 0) {
    throw new AppError('VALIDATION_FAILED', 'The password cannot be only spaces.');
  }
}

export async function hashPassword(password: string): Promise<string> {
  assertPasswordPolicy(password);
  return argon2.hash(password, ARGON2_PARAMS);
}

/** False (never a throw) for a wrong password or a hash that is not argon2, so callers have one failure path. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > PASSWORD_MAX_LENGTH * 4) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Runs a full argon2 verification that always fails. Sign-in calls it for unknown emails (and disabled
 * accounts) so response time does not reveal whether an account exists.
 */
export async function burnPasswordVerification(password: string): Promise<void> {
  dummyHash ??= argon2.hash('kiki-dummy-password-never-matches', ARGON2_PARAMS);
  await verifyPassword(await dummyHash, password);
}

/** True when a stored hash was made with weaker parameters than today's and should be replaced on sign-in. */
export function passwordNeedsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, {
      memoryCost: ARGON2_PARAMS.memoryCost,
      timeCost: ARGON2_PARAMS.timeCost,
      parallelism: ARGON2_PARAMS.parallelism,
    });
  } catch {
    return true;
  }
}
