import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { appendAudit } from '../audit/audit.service';
import { openSecret, sealSecret } from '../auth/secret-box';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit, UsageError } from './cli-io';

export interface TotpKeyRotation {
  /** Sealed secrets moved from the old key to the new one. */
  users: number;
  enrollments: number;
  /** Rows already sealed with the new key (a rotation that is run again). */
  alreadyRotated: number;
}

function keyFromEnv(env: NodeJS.ProcessEnv, name: string): Buffer {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new UsageError(
      `${name} is not set: it must hold the ${name === 'KIKI_TOTP_KEY' ? 'new' : 'old'} key (base64).`,
    );
  }
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new UsageError(`${name} must be 32 random bytes encoded as base64 (\`openssl rand -base64 32\`).`);
  }
  return key;
}

type Resealed = { sealed: string; rotated: boolean } | null;

/**
 * Re-seals one secret under the new key. The associated data is the user id, as the MFA service binds
 * it, so a secret stays tied to its row. Null when neither key opens it (a damaged row).
 */
function reseal(oldKey: Buffer, newKey: Buffer, sealed: string, userId: string): Resealed {
  try {
    return { sealed: sealSecret(newKey, openSecret(oldKey, sealed, userId), userId), rotated: true };
  } catch {
    try {
      openSecret(newKey, sealed, userId);
      return { sealed, rotated: false };
    } catch {
      return null;
    }
  }
}

/**
 * Moves every TOTP secret (enrolled and pending) from the old encryption key to the new one in one
 * transaction, so the server can restart with the new key and nobody has to enrol again. If any secret
 * opens with neither key, nothing changes. Each agency's audit chain records how many of its secrets moved.
 */
export async function rotateTotpKey(db: Kysely<Database>, oldKey: Buffer, newKey: Buffer): Promise<TotpKeyRotation> {
  if (oldKey.equals(newKey)) throw new UsageError('KIKI_TOTP_KEY_OLD and KIKI_TOTP_KEY are the same key.');
  return db.transaction().execute(async (trx) => {
    const perOrg = new Map<string, { users: number; enrollments: number }>();
    const bump = (orgId: string, field: 'users' | 'enrollments') => {
      const counts = perOrg.get(orgId) ?? { users: 0, enrollments: 0 };
      counts[field] += 1;
      perOrg.set(orgId, counts);
    };
    const damaged: string[] = [];
    let alreadyRotated = 0;

    const users = await trx
      .selectFrom('users')
      .select(['id', 'org_id', 'totp_secret_enc'])
      .where('totp_secret_enc', 'is not', null)
      .orderBy('id')
      .forUpdate()
      .execute();
    for (const user of users) {
      const result = reseal(oldKey, newKey, user.totp_secret_enc ?? '', user.id);
      if (result === null) damaged.push(`user ${user.id}`);
      else if (!result.rotated) alreadyRotated++;
      else {
        await trx.updateTable('users').set({ totp_secret_enc: result.sealed }).where('id', '=', user.id).execute();
        bump(user.org_id, 'users');
      }
    }
    const enrollments = await trx
      .selectFrom('mfa_enrollments')
      .select(['user_id', 'org_id', 'secret_enc'])
      .orderBy('user_id')
      .forUpdate()
      .execute();
    for (const enrollment of enrollments) {
      const result = reseal(oldKey, newKey, enrollment.secret_enc, enrollment.user_id);
      if (result === null) damaged.push(`pending enrolment of user ${enrollment.user_id}`);
      else if (!result.rotated) alreadyRotated++;
      else {
        await trx
          .updateTable('mfa_enrollments')
          .set({ secret_enc: result.sealed })
          .where('user_id', '=', enrollment.user_id)
          .execute();
        bump(enrollment.org_id, 'enrollments');
      }
    }
    if (damaged.length > 0) {
      throw new AppError(
        'VALIDATION_FAILED',
        `${damaged.length} secret(s) open with neither key (${damaged.slice(0, 5).join(', ')}); nothing was changed. ` +
          'Check KIKI_TOTP_KEY_OLD, or reset those users with `kiki-server mfa reset` and rotate again.',
      );
    }
    for (const [orgId, counts] of perOrg) {
      await appendAudit(trx, {
        orgId,
        actorUserId: null,
        action: 'admin.totp_key_rotated',
        entityType: 'organization',
        entityId: orgId,
        data: { ...CLI_SOURCE, ...counts },
      });
    }
    const moved = [...perOrg.values()];
    return {
      users: moved.reduce((n, c) => n + c.users, 0),
      enrollments: moved.reduce((n, c) => n + c.enrollments, 0),
      alreadyRotated,
    };
  });
}

export function registerKeysCommands(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('encryption key rotation');

  keys
    .command('rotate-totp')
    .description('re-encrypt every TOTP secret from KIKI_TOTP_KEY_OLD to KIKI_TOTP_KEY (stop the server first)')
    .action(async () => {
      const oldKey = keyFromEnv(ctx.io.env, 'KIKI_TOTP_KEY_OLD');
      const newKey = keyFromEnv(ctx.io.env, 'KIKI_TOTP_KEY');
      const result = await withDatabase(ctx, ({ db }) => rotateTotpKey(db, oldKey, newKey));
      emit(
        ctx.io,
        ctx.json(),
        `Re-encrypted ${result.users} TOTP secret(s) and ${result.enrollments} pending enrolment(s) with the new key` +
          `${result.alreadyRotated > 0 ? ` (${result.alreadyRotated} already used it)` : ''}. ` +
          'Start the server with the new KIKI_TOTP_KEY.',
        result,
      );
    });
}
