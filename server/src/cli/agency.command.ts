import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { appendAudit } from '../audit/audit.service';
import { assertPasswordPolicy, hashPassword } from '../auth/password';
import type { Database } from '../db/database';
import { withDatabase, type CliContext } from './cli-context';
import { CLI_SOURCE, emit, readNewPassword, UsageError } from './cli-io';
import { parseEmail } from './cli-lookup';

export interface CreateAgencyInput {
  name: string;
  ownerEmail: string;
  ownerName: string;
  ownerPassword: string;
  mfaRequired: boolean;
}

export interface CreatedAgency {
  orgId: string;
  name: string;
  ownerUserId: string;
  ownerEmail: string;
  mfaRequired: boolean;
}

/**
 * Creates an agency with its first owner in one transaction, audited as the first rows of its chain.
 * Refuses a name another agency already has, because the CLI finds agencies by name.
 */
export async function createAgency(db: Kysely<Database>, input: CreateAgencyInput): Promise<CreatedAgency> {
  assertPasswordPolicy(input.ownerPassword);
  const passwordHash = await hashPassword(input.ownerPassword);
  const orgId = newId();
  const userId = newId();
  const membershipId = newId();
  await db.transaction().execute(async (trx) => {
    const taken = await trx
      .selectFrom('organizations')
      .select('id')
      .where((eb) => eb(eb.fn('lower', ['name']), '=', input.name.toLowerCase()))
      .executeTakeFirst();
    if (taken !== undefined) {
      throw new AppError(
        'CONFLICT',
        `An agency called "${input.name}" already exists (id ${taken.id}); pick another name.`,
      );
    }
    await trx
      .insertInto('organizations')
      .values({ id: orgId, name: input.name, mfa_required: input.mfaRequired })
      .execute();
    await trx
      .insertInto('users')
      .values({
        id: userId,
        org_id: orgId,
        email: input.ownerEmail,
        display_name: input.ownerName,
        password_hash: passwordHash,
      })
      .execute();
    await trx
      .insertInto('memberships')
      .values({ id: membershipId, org_id: orgId, user_id: userId, role: 'owner', client_ids: null })
      .execute();
    const audit = { orgId, actorUserId: null } as const;
    await appendAudit(trx, {
      ...audit,
      action: 'org.created',
      entityType: 'organization',
      entityId: orgId,
      data: { ...CLI_SOURCE, name: input.name, mfaRequired: input.mfaRequired },
    });
    await appendAudit(trx, {
      ...audit,
      action: 'user.created',
      entityType: 'user',
      entityId: userId,
      data: { ...CLI_SOURCE, email: input.ownerEmail, displayName: input.ownerName },
    });
    await appendAudit(trx, {
      ...audit,
      action: 'membership.granted',
      entityType: 'membership',
      entityId: membershipId,
      data: { ...CLI_SOURCE, userId, role: 'owner', clientIds: null },
    });
  });
  return { orgId, name: input.name, ownerUserId: userId, ownerEmail: input.ownerEmail, mfaRequired: input.mfaRequired };
}

export interface AgencySummary {
  id: string;
  name: string;
  mfaRequired: boolean;
  users: number;
  createdAt: string;
}

export async function listAgencies(db: Kysely<Database>): Promise<AgencySummary[]> {
  const rows = await db
    .selectFrom('organizations as o')
    .leftJoin('users as u', 'u.org_id', 'o.id')
    .select(['o.id', 'o.name', 'o.mfa_required', 'o.created_at'])
    .select((eb) => eb.fn.count<string>('u.id').as('users'))
    .groupBy(['o.id', 'o.name', 'o.mfa_required', 'o.created_at'])
    .orderBy('o.name')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    mfaRequired: r.mfa_required,
    users: Number(r.users),
    createdAt: r.created_at.toISOString(),
  }));
}

function parseAgencyName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 200) throw new UsageError('--name must be 1 to 200 characters.');
  return name;
}

export function registerAgencyCommands(program: Command, ctx: CliContext): void {
  const agency = program.command('agency').description('create and list agencies (tenants)');

  agency
    .command('create')
    .description('create an agency and its first owner (password from KIKI_OWNER_PASSWORD or typed)')
    .requiredOption('--name <name>', 'agency name, e.g. "Acme Agency"')
    .requiredOption('--owner-email <email>', "the first owner's email")
    .option('--owner-name <name>', "the first owner's display name (default: the part of the email before @)")
    .option('--mfa-required', 'every user of the agency must set up two-factor sign-in', false)
    .action(async (options: { name: string; ownerEmail: string; ownerName?: string; mfaRequired: boolean }) => {
      const name = parseAgencyName(options.name);
      const ownerEmail = parseEmail(options.ownerEmail);
      const ownerName = (options.ownerName ?? ownerEmail.split('@')[0] ?? ownerEmail).trim();
      if (ownerName.length === 0 || ownerName.length > 200) {
        throw new UsageError('--owner-name must be 1 to 200 characters.');
      }
      const ownerPassword = await readNewPassword(ctx.io, 'KIKI_OWNER_PASSWORD', ownerEmail);
      // Checked before the database is opened so a weak password costs nothing and changes nothing.
      assertPasswordPolicy(ownerPassword);
      const created = await withDatabase(ctx, ({ db }) =>
        createAgency(db, { name, ownerEmail, ownerName, ownerPassword, mfaRequired: options.mfaRequired }),
      );
      emit(
        ctx.io,
        ctx.json(),
        `Created agency "${created.name}" (id ${created.orgId}) with owner ${created.ownerEmail}.`,
        created,
      );
    });

  agency
    .command('list')
    .description('list agencies with their ids')
    .action(async () => {
      const agencies = await withDatabase(ctx, ({ db }) => listAgencies(db));
      const human =
        agencies.length === 0
          ? 'No agencies yet; create one with `kiki-server agency create`.'
          : agencies
              .map((a) => `${a.id}  ${a.name}  (${a.users} users${a.mfaRequired ? ', MFA required' : ''})`)
              .join('\n');
      emit(ctx.io, ctx.json(), human, agencies);
    });
}
