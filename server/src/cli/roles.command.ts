import type { Command } from 'commander';
import { sql, type Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import type { Role } from '@kiki/shared/permissions';
import { assertAnotherActiveOwnerRemains } from '../users/last-owner.guard';
import { appendAudit } from '../audit/audit.service';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit } from './cli-io';
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

/**
 * Gives a user a role, org-wide (clientIds null) or for listed clients. A user holds each role once, so
 * granting a role they already have replaces its client scope, as the API does.
 */
export async function grantRole(
  db: Kysely<Database>,
  org: OrgRef,
  email: string,
  role: Role,
  clientIds: string[] | null,
): Promise<{ membershipId: string; userId: string }> {
  assertGrantShape(role, clientIds);
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, org, email);
    await assertClientsExist(trx, org, clientIds);
    const row = await trx
      .insertInto('memberships')
      .values({ id: newId(), org_id: org.id, user_id: user.id, role, client_ids: clientIds })
      .onConflict((oc) =>
        oc.columns(['org_id', 'user_id', 'role']).doUpdateSet({ client_ids: clientIds, updated_at: sql`now()` }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(trx, {
      orgId: org.id,
      actorUserId: null,
      action: 'membership.granted',
      entityType: 'membership',
      entityId: row.id,
      data: { ...CLI_SOURCE, userId: user.id, role, clientIds },
    });
    return { membershipId: row.id, userId: user.id };
  });
}

/** Takes a role away. Refuses to remove the agency's last org-wide owner, who is the only way back in. */
export async function revokeRole(
  db: Kysely<Database>,
  org: OrgRef,
  email: string,
  role: Role,
): Promise<{ membershipId: string; userId: string }> {
  return db.transaction().execute(async (trx) => {
    const user = await findUser(trx, org, email);
    const row = await trx
      .selectFrom('memberships')
      .select(['id', 'client_ids'])
      .where('org_id', '=', org.id)
      .where('user_id', '=', user.id)
      .where('role', '=', role)
      .executeTakeFirst();
    if (row === undefined) throw new AppError('NOT_FOUND', `${email} does not have the ${role} role in ${org.name}.`);
    // The same guard, lock order and rule as the API: an active owner must remain.
    if (role === 'owner' && row.client_ids === null) {
      await assertAnotherActiveOwnerRemains(trx, org.id, user.id);
    } else {
      await trx.selectFrom('memberships').select('id').where('id', '=', row.id).forUpdate().execute();
    }
    await trx.deleteFrom('memberships').where('org_id', '=', org.id).where('id', '=', row.id).execute();
    await appendAudit(trx, {
      orgId: org.id,
      actorUserId: null,
      action: 'membership.revoked',
      entityType: 'membership',
      entityId: row.id,
      data: { ...CLI_SOURCE, userId: user.id, role, clientIds: row.client_ids },
    });
    return { membershipId: row.id, userId: user.id };
  });
}

export function registerRolesCommands(program: Command, ctx: CliContext): void {
  const roles = program.command('roles').description('grant and revoke roles');

  roles
    .command('grant')
    .description('give a user a role, org-wide or for listed clients')
    .requiredOption('--org <agency>', 'agency name or id')
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--role <role>', 'owner, admin, manager, operator, analyst or client_viewer')
    .option('--clients <ids>', 'limit the role to these client ids (comma-separated); org-wide when absent')
    .action(async (options: { org: string; email: string; role: string; clients?: string }) => {
      const email = parseEmail(options.email);
      const role = parseRole(options.role);
      const clientIds = parseClientIds(options.clients);
      assertGrantShape(role, clientIds);
      const result = await withDatabase(ctx, async ({ db }) => {
        const org = await findOrg(db, options.org);
        return {
          orgId: org.id,
          org: org.name,
          email,
          role,
          clientIds,
          ...(await grantRole(db, org, email, role, clientIds)),
        };
      });
      const scope = clientIds === null ? 'org-wide' : `for clients ${clientIds.join(', ')}`;
      emit(ctx.io, ctx.json(), `Granted ${role} to ${email} in ${result.org} (${scope}).`, result);
    });

  roles
    .command('revoke')
    .description('take a role away from a user')
    .requiredOption('--org <agency>', 'agency name or id')
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--role <role>', 'the role to take away')
    .action(async (options: { org: string; email: string; role: string }) => {
      const email = parseEmail(options.email);
      const role = parseRole(options.role);
      const result = await withDatabase(ctx, async ({ db }) => {
        const org = await findOrg(db, options.org);
        return { orgId: org.id, org: org.name, email, role, ...(await revokeRole(db, org, email, role)) };
      });
      emit(ctx.io, ctx.json(), `Revoked ${role} from ${email} in ${result.org}.`, result);
    });
}
