import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import type { Role } from '@kiki/shared/permissions';
import { appendAudit } from '../audit/audit.service';
import { assertPasswordPolicy, hashPassword } from '../auth/password';
import { revokeAllUserSessions } from '../auth/sessions.service';
import type { Database } from '../db/database';
import { assertAnotherActiveOwnerRemains } from '../users/last-owner.guard';
import { loadUsersWithGrants, type UserResponse } from '../routes/users/users.repository';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit, readNewPassword, UsageError } from './cli-io';
import {
  assertClientsExist,
  assertGrantShape,
  findOrg,
  findUser,
  parseClientIds,
  parseEmail,
  parseRole,
  type OrgRef,
} from './cli-lookup';

export interface AddUserInput {
  org: OrgRef;
  email: string;
  displayName: string;
  password: string;
  role: Role;
  clientIds: string[] | null;
}

/** Adds a user with one role grant, audited as the API audits it, plus the CLI as the source. */
export async function addUser(db: Kysely<Database>, input: AddUserInput): Promise<{ userId: string }> {
  assertGrantShape(input.role, input.clientIds);
  assertPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  const userId = newId();
  const membershipId = newId();
  await db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', input.org.id)
      .where('email', '=', input.email)
      .executeTakeFirst();
    if (taken !== undefined) throw new AppError('CONFLICT', `${input.email} is already a user of ${input.org.name}.`);
    await assertClientsExist(trx, input.org, input.clientIds);
    await trx
      .insertInto('users')
      .values({
        id: userId,
        org_id: input.org.id,
        email: input.email,
        display_name: input.displayName,
        password_hash: passwordHash,
      })
      .execute();
    await trx
      .insertInto('memberships')
      .values({
        id: membershipId,
        org_id: input.org.id,
        user_id: userId,
        role: input.role,
        client_ids: input.clientIds,
      })
      .execute();
    await appendAudit(trx, {
      orgId: input.org.id,
      actorUserId: null,
      action: 'user.created',
      entityType: 'user',
      entityId: userId,
      data: { ...CLI_SOURCE, email: input.email, displayName: input.displayName },
    });
    await appendAudit(trx, {
      orgId: input.org.id,
      actorUserId: null,
      action: 'membership.granted',
      entityType: 'membership',
      entityId: membershipId,
      data: { ...CLI_SOURCE, userId, role: input.role, clientIds: input.clientIds },
    });
  });
  return { userId };
}

/**
 * Disables or re-enables a user. Disabling ends every session in the same transaction, so the user's
 * access tokens stop working at once; enabling clears any lockout left from before.
 * Refuses to disable the agency's last active owner. Returns false when the user already had that status
 * (nothing changed, nothing audited).
 */
export async function setUserStatus(
  db: Kysely<Database>,
  org: OrgRef,
  email: string,
  status: 'active' | 'disabled',
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, org, email);
    if (user.status === status) return false;
    // Same rule as the API: the CLI can add an owner first, so it has no reason to leave the agency without one.
    if (status === 'disabled') await assertAnotherActiveOwnerRemains(trx, org.id, user.id);
    await trx
      .updateTable('users')
      .set({
        status,
        updated_at: new Date(),
        ...(status === 'active' ? { failed_login_count: 0, locked_until: null } : {}),
      })
      .where('org_id', '=', org.id)
      .where('id', '=', user.id)
      .execute();
    if (status === 'disabled') {
      await revokeAllUserSessions(trx, org.id, user.id, 'user_disabled', { actorUserId: null });
    }
    await appendAudit(trx, {
      orgId: org.id,
      actorUserId: null,
      action: status === 'disabled' ? 'user.disabled' : 'user.enabled',
      entityType: 'user',
      entityId: user.id,
      data: { ...CLI_SOURCE, email },
    });
    return true;
  });
}

const PAGE = 500;

export async function listAllUsers(db: Kysely<Database>, org: OrgRef): Promise<UserResponse[]> {
  const users: UserResponse[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await loadUsersWithGrants(db, org.id, { limit: PAGE, offset });
    users.push(...page);
    if (page.length < PAGE) return users;
  }
}

function describeUser(user: UserResponse): string {
  const roles =
    user.grants.length === 0
      ? 'no roles'
      : user.grants.map((g) => (g.clientIds === null ? g.role : `${g.role} [${g.clientIds.join(', ')}]`)).join(', ');
  return `${user.email}  ${user.displayName}  ${user.status}${user.mfaEnabled ? '  mfa' : ''}  ${roles}  (${user.id})`;
}

export function registerUsersCommands(program: Command, ctx: CliContext): void {
  const users = program.command('users').description("manage an agency's users");

  users
    .command('add')
    .description('add a user with a role (password from KIKI_USER_PASSWORD or typed)')
    .requiredOption('--org <agency>', 'agency name or id')
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--role <role>', 'owner, admin, manager, operator, analyst or client_viewer')
    .option('--clients <ids>', 'limit the role to these client ids (comma-separated); org-wide when absent')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .action(async (options: { org: string; email: string; role: string; clients?: string; name?: string }) => {
      const email = parseEmail(options.email);
      const role = parseRole(options.role);
      const clientIds = parseClientIds(options.clients);
      assertGrantShape(role, clientIds);
      const displayName = (options.name ?? email.split('@')[0] ?? email).trim();
      if (displayName.length === 0 || displayName.length > 200)
        throw new UsageError('--name must be 1 to 200 characters.');
      const password = await readNewPassword(ctx.io, 'KIKI_USER_PASSWORD', email);
      assertPasswordPolicy(password);
      const result = await withDatabase(ctx, async ({ db }) => {
        const org = await findOrg(db, options.org);
        const added = await addUser(db, { org, email, displayName, password, role, clientIds });
        return { orgId: org.id, org: org.name, userId: added.userId, email, role, clientIds };
      });
      const scope = clientIds === null ? 'org-wide' : `for clients ${clientIds.join(', ')}`;
      emit(ctx.io, ctx.json(), `Added ${email} to ${result.org} as ${role} (${scope}).`, result);
    });

  for (const [name, status, verb] of [
    ['disable', 'disabled', 'Disabled'],
    ['enable', 'active', 'Enabled'],
  ] as const) {
    users
      .command(name)
      .description(
        status === 'disabled'
          ? 'disable a user and end all their sessions at once'
          : 'let a disabled user sign in again',
      )
      .requiredOption('--org <agency>', 'agency name or id')
      .requiredOption('--email <email>', "the user's email")
      .action(async (options: { org: string; email: string }) => {
        const email = parseEmail(options.email);
        const result = await withDatabase(ctx, async ({ db }) => {
          const org = await findOrg(db, options.org);
          const changed = await setUserStatus(db, org, email, status);
          return { orgId: org.id, email, status, changed };
        });
        const human = result.changed ? `${verb} ${email}.` : `${email} was already ${status}; nothing changed.`;
        emit(ctx.io, ctx.json(), human, result);
      });
  }

  users
    .command('list')
    .description("list an agency's users and their roles")
    .requiredOption('--org <agency>', 'agency name or id')
    .action(async (options: { org: string }) => {
      const list = await withDatabase(ctx, async ({ db }) => listAllUsers(db, await findOrg(db, options.org)));
      emit(ctx.io, ctx.json(), list.length === 0 ? 'No users.' : list.map(describeUser).join('\n'), list);
    });
}
