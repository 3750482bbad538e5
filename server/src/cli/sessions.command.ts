import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { idSchema } from '@kiki/shared/ids';
import { appendAudit } from '../audit/audit.service';
import { listSessions, revokeAllUserSessions, revokeSession } from '../auth/sessions.service';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit, UsageError } from './cli-io';
import { findOrg, findUser, parseEmail, type OrgRef } from './cli-lookup';

const REVOKE_REASON = 'revoked_by_admin';

export interface SessionListing {
  id: string;
  userId: string;
  email: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

export async function listOrgSessions(db: Kysely<Database>, org: OrgRef, email?: string): Promise<SessionListing[]> {
  const userId = email === undefined ? undefined : (await findUser(db, org, email)).id;
  const sessions = await listSessions(db, org.id, userId);
  const emails = new Map(
    (await db.selectFrom('users').select(['id', 'email']).where('org_id', '=', org.id).execute()).map((u) => [
      u.id,
      u.email,
    ]),
  );
  return sessions.map((s) => ({
    id: s.id,
    userId: s.userId,
    email: emails.get(s.userId) ?? '(deleted user)',
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
  }));
}

/** Ends one session (and its refresh tokens). The agency is looked up from the session when not given. */
export async function revokeOneSession(
  db: Kysely<Database>,
  sessionId: string,
  org: OrgRef | null,
): Promise<{ orgId: string; sessionId: string }> {
  return db.transaction().execute(async (trx) => {
    let query = trx.selectFrom('sessions').select(['org_id', 'user_id', 'revoked_at']).where('id', '=', sessionId);
    if (org !== null) query = query.where('org_id', '=', org.id);
    const session = await query.executeTakeFirst();
    if (session === undefined)
      throw new AppError('NOT_FOUND', `No session ${sessionId}; see \`kiki-server sessions list\`.`);
    const revoked = await revokeSession(trx, { orgId: session.org_id, sessionId, reason: REVOKE_REASON });
    if (!revoked) throw new AppError('CONFLICT', `Session ${sessionId} had already ended; nothing changed.`);
    await appendAudit(trx, {
      orgId: session.org_id,
      actorUserId: null,
      action: 'admin.session_revoked',
      entityType: 'session',
      entityId: sessionId,
      data: { ...CLI_SOURCE, userId: session.user_id },
    });
    return { orgId: session.org_id, sessionId };
  });
}

export async function revokeUserSessions(
  db: Kysely<Database>,
  org: OrgRef,
  email: string,
): Promise<{ userId: string; sessionsRevoked: number }> {
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, org, email);
    const sessionsRevoked = await revokeAllUserSessions(trx, org.id, user.id, REVOKE_REASON, { actorUserId: null });
    await appendAudit(trx, {
      orgId: org.id,
      actorUserId: null,
      action: 'admin.sessions_revoked',
      entityType: 'user',
      entityId: user.id,
      data: { ...CLI_SOURCE, email, sessionsRevoked },
    });
    return { userId: user.id, sessionsRevoked };
  });
}

export function registerSessionsCommands(program: Command, ctx: CliContext): void {
  const sessions = program.command('sessions').description('list and end sign-in sessions');

  sessions
    .command('list')
    .description("an agency's live sessions, newest activity first")
    .requiredOption('--org <agency>', 'agency name or id')
    .option('--email <email>', 'only this user')
    .action(async (options: { org: string; email?: string }) => {
      const email = options.email === undefined ? undefined : parseEmail(options.email);
      const list = await withDatabase(ctx, async ({ db }) =>
        listOrgSessions(db, await findOrg(db, options.org), email),
      );
      const human =
        list.length === 0
          ? 'No live sessions.'
          : list
              .map((s) => `${s.id}  ${s.email}  last used ${s.lastUsedAt}  ${s.ip ?? '-'}  ${s.userAgent ?? '-'}`)
              .join('\n');
      emit(ctx.io, ctx.json(), human, list);
    });

  sessions
    .command('revoke')
    .description('end one session by id, or every session of a user with --all --email')
    .argument('[sessionId]', 'the session to end (see `sessions list`)')
    .option('--org <agency>', 'agency name or id (required with --all)')
    .option('--all', 'end every session of the user given by --email', false)
    .option('--email <email>', 'the user whose sessions --all ends')
    .action(async (sessionId: string | undefined, options: { org?: string; all: boolean; email?: string }) => {
      if (options.all) {
        if (sessionId !== undefined) throw new UsageError('Give either a session id or --all --email, not both.');
        if (options.email === undefined || options.org === undefined) {
          throw new UsageError('--all needs --org and --email: whose sessions should end?');
        }
        const email = parseEmail(options.email);
        const orgRef = options.org;
        const result = await withDatabase(ctx, async ({ db }) => {
          const org = await findOrg(db, orgRef);
          return { orgId: org.id, email, ...(await revokeUserSessions(db, org, email)) };
        });
        emit(ctx.io, ctx.json(), `Ended ${result.sessionsRevoked} session(s) of ${email}.`, result);
        return;
      }
      if (sessionId === undefined) throw new UsageError('Give the session id to end, or --all --email <email>.');
      if (!idSchema.safeParse(sessionId).success) throw new UsageError(`"${sessionId}" is not a session id.`);
      const orgRef = options.org;
      const result = await withDatabase(ctx, async ({ db }) =>
        revokeOneSession(db, sessionId, orgRef === undefined ? null : await findOrg(db, orgRef)),
      );
      emit(ctx.io, ctx.json(), `Ended session ${sessionId}.`, result);
    });
}
