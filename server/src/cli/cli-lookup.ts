import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { idSchema } from '@kiki/shared/ids';
import { roleSchema, type Role } from '@kiki/shared/permissions';
import type { Database } from '../db/database';
import { UsageError } from './cli-io';

type Db = Kysely<Database> | Transaction<Database>;

export interface OrgRef {
  id: string;
  name: string;
}

/**
 * Finds an agency by its id or its name (case-insensitive). Names are the handle admins know; the id is
 * the way out when two agencies share a name.
 */
export async function findOrg(db: Db, ref: string): Promise<OrgRef> {
  const trimmed = ref.trim();
  if (idSchema.safeParse(trimmed).success) {
    const byId = await db
      .selectFrom('organizations')
      .select(['id', 'name'])
      .where('id', '=', trimmed)
      .executeTakeFirst();
    if (byId !== undefined) return byId;
  }
  const byName = await db
    .selectFrom('organizations')
    .select(['id', 'name'])
    .where((eb) => eb(eb.fn('lower', ['name']), '=', trimmed.toLowerCase()))
    .limit(2)
    .execute();
  const [only, second] = byName;
  if (only === undefined) {
    throw new AppError('NOT_FOUND', `No agency is called "${trimmed}"; run \`kiki-server agency list\` to see them.`);
  }
  if (second !== undefined) {
    throw new AppError(
      'CONFLICT',
      `More than one agency is called "${trimmed}"; pass its id instead (see \`kiki-server agency list\`).`,
    );
  }
  return only;
}

export interface UserRef {
  id: string;
  email: string;
  status: 'active' | 'disabled';
}

export async function findUser(db: Db, org: OrgRef, email: string): Promise<UserRef> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'status'])
    .where('org_id', '=', org.id)
    .where('email', '=', email)
    .executeTakeFirst();
  if (user === undefined) {
    throw new AppError('NOT_FOUND', `${email} is not a user of ${org.name}; see \`kiki-server users list --org ...\`.`);
  }
  return user;
}

const emailSchema = z.email();

/** Emails are stored lowercase (the users table checks it), so `--email Ann@X.com` finds ann@x.com. */
export function parseEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) throw new UsageError(`"${value}" is not an email address.`);
  return email;
}

export function parseRole(value: string): Role {
  const parsed = roleSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`Unknown role "${value}"; use one of: ${roleSchema.options.join(', ')}.`);
  return parsed.data;
}

/** `--clients id,id` → the ids, or null (org-wide) when the option is absent. */
export function parseClientIds(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  const ids = [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
  if (ids.length === 0) throw new UsageError('--clients needs at least one client id (comma-separated).');
  const bad = ids.filter((id) => !idSchema.safeParse(id).success);
  if (bad.length > 0)
    throw new UsageError(`--clients: ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a client id.`);
  return ids;
}

/** A grant must be valid before it touches the database: client_viewer is always limited to clients. */
export function assertGrantShape(role: Role, clientIds: string[] | null): void {
  if (role === 'client_viewer' && clientIds === null) {
    throw new UsageError('A client_viewer sees only their own clients: pass --clients <id,id>.');
  }
}

export async function assertClientsExist(db: Db, org: OrgRef, clientIds: string[] | null): Promise<void> {
  if (clientIds === null) return;
  const found = await db
    .selectFrom('clients')
    .select('id')
    .where('org_id', '=', org.id)
    .where('id', 'in', clientIds)
    .execute();
  const missing = clientIds.filter((id) => !found.some((row) => row.id === id));
  if (missing.length > 0) {
    throw new AppError('NOT_FOUND', `${org.name} has no client ${missing.join(', ')}.`);
  }
}
