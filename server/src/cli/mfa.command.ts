import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit.service';
import { resetMfa } from '../auth/mfa.service';
import { revokeAllUserSessions } from '../auth/sessions.service';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit } from './cli-io';
import { findOrg, findUser, parseEmail, type OrgRef } from './cli-lookup';

/**
 * Turns two-factor sign-in off for a user who lost their device, and ends their sessions: whoever holds
 * the lost device may also hold a signed-in session. The user enrols again at their next sign-in.
 */
export async function resetUserMfa(
  db: Kysely<Database>,
  org: OrgRef,
  email: string,
): Promise<{ userId: string; sessionsRevoked: number }> {
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, org, email);
    await resetMfa(trx, org.id, user.id, { actorUserId: null });
    const sessionsRevoked = await revokeAllUserSessions(trx, org.id, user.id, 'mfa_reset', { actorUserId: null });
    // resetMfa audits the change itself; this row records that an admin did it from the shell.
    await appendAudit(trx, {
      orgId: org.id,
      actorUserId: null,
      action: 'admin.mfa_reset',
      entityType: 'user',
      entityId: user.id,
      data: { ...CLI_SOURCE, email, sessionsRevoked },
    });
    return { userId: user.id, sessionsRevoked };
  });
}

export function registerMfaCommands(program: Command, ctx: CliContext): void {
  const mfa = program.command('mfa').description('two-factor sign-in');

  mfa
    .command('reset')
    .description("remove a user's authenticator and recovery codes (lost device) and end their sessions")
    .requiredOption('--org <agency>', 'agency name or id')
    .requiredOption('--email <email>', "the user's email")
    .action(async (options: { org: string; email: string }) => {
      const email = parseEmail(options.email);
      const result = await withDatabase(ctx, async ({ db }) => {
        const org = await findOrg(db, options.org);
        return { orgId: org.id, email, ...(await resetUserMfa(db, org, email)) };
      });
      emit(
        ctx.io,
        ctx.json(),
        `Reset two-factor sign-in for ${email} and ended ${result.sessionsRevoked} session(s); they set it up again at their next sign-in.`,
        result,
      );
    });
}
