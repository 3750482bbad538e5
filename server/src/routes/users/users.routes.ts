import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { grantSchema } from '@kiki/shared/permissions';
import { appendAudit } from '../../audit/audit.service';
import { assertPasswordPolicy, hashPassword, PASSWORD_MAX_LENGTH } from '../../auth/password';
import { revokeAllUserSessions } from '../../auth/sessions.service';
import type { Database } from '../../db/database';
import { auditOrigin } from '../../http/request-audit';
import { requireAccess, type Access } from '../../plugins/rbac';
import { assertAnotherActiveOwnerRemains } from '../../users/last-owner.guard';
import { pageQuerySchema, pageSchema, toPage } from '../pagination.schema';
import { assertMayGrant, isOrgOwner } from '../memberships/grant-rules';
import { loadUser, loadUsersWithGrants, userResponseSchema } from './users.repository';

const userParamsSchema = z.object({ userId: z.uuid() });

const userCreateSchema = z.strictObject({
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  displayName: z.string().trim().min(1).max(200),
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
  /** Optional first grant, made in the same transaction. */
  grant: grantSchema.optional(),
});

const userUpdateSchema = z.strictObject({ displayName: z.string().trim().min(1).max(200) });

const userListQuerySchema = pageQuerySchema.extend({
  status: z.enum(['active', 'disabled']).optional(),
});

async function setStatus(
  db: Kysely<Database>,
  access: Access,
  userId: string,
  status: 'active' | 'disabled',
  origin: { ip: string | null; requestId: string },
): Promise<void> {
  if (status === 'disabled' && userId === access.userId) {
    throw new AppError('CONFLICT', 'You cannot disable your own account; ask another admin.');
  }
  await db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom('users')
      .select(['id', 'status'])
      .where('org_id', '=', access.orgId)
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (target === undefined) throw new AppError('NOT_FOUND', 'No such user in your agency.');
    const targetIsOwner = await trx
      .selectFrom('memberships')
      .select('id')
      .where('org_id', '=', access.orgId)
      .where('user_id', '=', userId)
      .where('role', '=', 'owner')
      .executeTakeFirst();
    if (targetIsOwner !== undefined && !isOrgOwner(access.grants)) {
      throw new AppError('FORBIDDEN', 'Only an owner can disable or enable another owner.');
    }
    if (target.status === status) return;
    if (status === 'disabled') await assertAnotherActiveOwnerRemains(trx, access.orgId, userId);
    await trx
      .updateTable('users')
      .set({
        status,
        updated_at: new Date(),
        // Re-enabling is a fresh start: a lockout from before the disable should not linger.
        ...(status === 'active' ? { failed_login_count: 0, locked_until: null } : {}),
      })
      .where('org_id', '=', access.orgId)
      .where('id', '=', userId)
      .execute();
    if (status === 'disabled') {
      // Access tokens die with their session (authenticate checks it), so this cuts access at once.
      await revokeAllUserSessions(trx, access.orgId, userId, 'user_disabled', {
        actorUserId: access.userId,
        ...origin,
      });
    }
    await appendAudit(trx, {
      orgId: access.orgId,
      actorUserId: access.userId,
      action: status === 'disabled' ? 'user.disabled' : 'user.enabled',
      entityType: 'user',
      entityId: userId,
      ...origin,
    });
  });
}

/** The agency's team: who is on it and with which roles. Managing users is agency-wide admin work. */
export const usersRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/users',
    {
      config: { permission: 'users.read' },
      schema: { tags: ['users'], querystring: userListQuerySchema, response: { 200: pageSchema(userResponseSchema) } },
    },
    async (request) => {
      const { orgId } = requireAccess(request);
      const { limit, offset, status } = request.query;
      const rows = await loadUsersWithGrants(db, orgId, { limit: limit + 1, offset, ...(status ? { status } : {}) });
      return toPage(rows, limit, offset);
    },
  );

  app.get(
    '/users/:userId',
    {
      config: { permission: 'users.read' },
      schema: { tags: ['users'], params: userParamsSchema, response: { 200: userResponseSchema } },
    },
    async (request) => {
      const { orgId } = requireAccess(request);
      return loadUser(db, orgId, request.params.userId);
    },
  );

  app.post(
    '/users',
    {
      config: { permission: 'users.manage' },
      schema: { tags: ['users'], body: userCreateSchema, response: { 201: userResponseSchema } },
    },
    async (request, reply) => {
      const access = requireAccess(request);
      const { email, displayName, password, grant } = request.body;
      assertPasswordPolicy(password);
      if (grant !== undefined) assertMayGrant(access, grant.role);
      const passwordHash = await hashPassword(password);
      const userId = newId();
      await db.transaction().execute(async (trx) => {
        const taken = await trx
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', access.orgId)
          .where('email', '=', email)
          .executeTakeFirst();
        if (taken !== undefined) throw new AppError('CONFLICT', `${email} is already on the team.`);
        await trx
          .insertInto('users')
          .values({ id: userId, org_id: access.orgId, email, display_name: displayName, password_hash: passwordHash })
          .execute();
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'user.created',
          entityType: 'user',
          entityId: userId,
          data: { email, displayName },
          ...auditOrigin(request),
        });
        if (grant !== undefined) {
          const membershipId = newId();
          await trx
            .insertInto('memberships')
            .values({
              id: membershipId,
              org_id: access.orgId,
              user_id: userId,
              role: grant.role,
              client_ids: grant.clientIds,
            })
            .execute();
          await appendAudit(trx, {
            orgId: access.orgId,
            actorUserId: access.userId,
            action: 'membership.granted',
            entityType: 'membership',
            entityId: membershipId,
            data: { userId, role: grant.role, clientIds: grant.clientIds },
            ...auditOrigin(request),
          });
        }
      });
      return reply.status(201).send(await loadUser(db, access.orgId, userId));
    },
  );

  app.patch(
    '/users/:userId',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['users'],
        params: userParamsSchema,
        body: userUpdateSchema,
        response: { 200: userResponseSchema },
      },
    },
    async (request) => {
      const access = requireAccess(request);
      await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('users')
          .set({ display_name: request.body.displayName, updated_at: new Date() })
          .where('org_id', '=', access.orgId)
          .where('id', '=', request.params.userId)
          .returning('id')
          .executeTakeFirst();
        if (updated === undefined) throw new AppError('NOT_FOUND', 'No such user in your agency.');
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'user.updated',
          entityType: 'user',
          entityId: request.params.userId,
          data: { changes: request.body },
          ...auditOrigin(request),
        });
      });
      return loadUser(db, access.orgId, request.params.userId);
    },
  );

  for (const [path, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/users/:userId/${path}`,
      {
        config: { permission: 'users.manage' },
        schema: { tags: ['users'], params: userParamsSchema, response: { 200: userResponseSchema } },
      },
      async (request) => {
        const access = requireAccess(request);
        await setStatus(db, access, request.params.userId, status, auditOrigin(request));
        return loadUser(db, access.orgId, request.params.userId);
      },
    );
  }
  done();
};
