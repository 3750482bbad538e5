import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { roleSchema } from '@kiki/shared/permissions';
import type { Database, UserRow } from '../../db/database';

export const userResponseSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  status: z.enum(['active', 'disabled']),
  mfaEnabled: z.boolean(),
  grants: z.array(z.object({ membershipId: z.uuid(), role: roleSchema, clientIds: z.array(z.uuid()).nullable() })),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type UserResponse = z.infer<typeof userResponseSchema>;

type PublicUserRow = Pick<
  UserRow,
  'id' | 'email' | 'display_name' | 'status' | 'mfa_enabled' | 'created_at' | 'updated_at'
>;
const PUBLIC_COLUMNS = ['id', 'email', 'display_name', 'status', 'mfa_enabled', 'created_at', 'updated_at'] as const;

async function withGrants(db: Kysely<Database>, orgId: string, users: PublicUserRow[]): Promise<UserResponse[]> {
  if (users.length === 0) return [];
  const memberships = await db
    .selectFrom('memberships')
    .select(['id', 'user_id', 'role', 'client_ids'])
    .where('org_id', '=', orgId)
    .where(
      'user_id',
      'in',
      users.map((u) => u.id),
    )
    .orderBy('created_at')
    .execute();
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    status: u.status,
    mfaEnabled: u.mfa_enabled,
    grants: memberships
      .filter((m) => m.user_id === u.id)
      .map((m) => ({ membershipId: m.id, role: m.role, clientIds: m.client_ids })),
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
  }));
}

/** Never selects password hashes or TOTP secrets: only what the team page shows. */
export async function loadUsersWithGrants(
  db: Kysely<Database>,
  orgId: string,
  options: { limit: number; offset: number; status?: 'active' | 'disabled' },
): Promise<UserResponse[]> {
  let query = db.selectFrom('users').select(PUBLIC_COLUMNS).where('org_id', '=', orgId);
  if (options.status !== undefined) query = query.where('status', '=', options.status);
  const users = await query.orderBy('display_name').orderBy('id').limit(options.limit).offset(options.offset).execute();
  return withGrants(db, orgId, users);
}

export async function loadUser(db: Kysely<Database>, orgId: string, userId: string): Promise<UserResponse> {
  const user = await db
    .selectFrom('users')
    .select(PUBLIC_COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (user === undefined) throw new AppError('NOT_FOUND', 'No such user in your agency.');
  const [withRoles] = await withGrants(db, orgId, [user]);
  if (withRoles === undefined) throw new AppError('NOT_FOUND', 'No such user in your agency.');
  return withRoles;
}
