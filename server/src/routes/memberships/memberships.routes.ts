import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { grantSchema, roleSchema } from '@kiki/shared/permissions';
import { assertAnotherActiveOwnerRemains } from '../../users/last-owner.guard';
import { appendAudit } from '../../audit/audit.service';
import type { Database, MembershipRow } from '../../db/database';
import { auditOrigin } from '../../http/request-audit';
import { requireAccess } from '../../plugins/rbac';
import { pageQuerySchema, pageSchema, toPage } from '../pagination.schema';
import { assertMayGrant } from './grant-rules';

const membershipSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  role: roleSchema,
  clientIds: z.array(z.uuid()).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const grantBodySchema = z
  .strictObject({ userId: z.uuid(), role: roleSchema, clientIds: z.array(z.uuid()).min(1).max(500).nullable() })
  .refine((g) => grantSchema.safeParse({ role: g.role, clientIds: g.clientIds }).success, {
    message: 'a client_viewer grant must name the clients it may see',
    path: ['clientIds'],
  });

const membershipListQuerySchema = pageQuerySchema.extend({ userId: z.uuid().optional() });

function toMembership(row: MembershipRow): z.infer<typeof membershipSchema> {
  return {
    id: row.id,
    userId: row.user_id,
    role: row.role,
    clientIds: row.client_ids,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Role grants, org-wide (clientIds null) or limited to listed clients. Granting a role the user already
 * holds replaces its client list, so a user has at most one grant per role.
 */
export const membershipsRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/memberships',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['memberships'],
        querystring: membershipListQuerySchema,
        response: { 200: pageSchema(membershipSchema) },
      },
    },
    async (request) => {
      const { orgId } = requireAccess(request);
      const { limit, offset, userId } = request.query;
      let query = db.selectFrom('memberships').selectAll().where('org_id', '=', orgId);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      const rows = await query
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit + 1)
        .offset(offset)
        .execute();
      const page = toPage(rows, limit, offset);
      return { items: page.items.map(toMembership), nextOffset: page.nextOffset };
    },
  );

  app.post(
    '/memberships',
    {
      config: { permission: 'roles.manage' },
      schema: { tags: ['memberships'], body: grantBodySchema, response: { 200: membershipSchema } },
    },
    async (request) => {
      const access = requireAccess(request);
      const { userId, role, clientIds } = request.body;
      assertMayGrant(access, role);
      return db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', access.orgId)
          .where('id', '=', userId)
          .executeTakeFirst();
        if (user === undefined) throw new AppError('NOT_FOUND', 'No such user in your agency.');
        if (clientIds !== null) {
          const found = await trx
            .selectFrom('clients')
            .select('id')
            .where('org_id', '=', access.orgId)
            .where('id', 'in', clientIds)
            .execute();
          if (found.length !== new Set(clientIds).size) {
            throw new AppError('NOT_FOUND', 'One or more of those clients do not exist in your agency.');
          }
        }
        const row = await trx
          .insertInto('memberships')
          .values({ id: newId(), org_id: access.orgId, user_id: userId, role, client_ids: clientIds })
          .onConflict((oc) =>
            oc.columns(['org_id', 'user_id', 'role']).doUpdateSet({ client_ids: clientIds, updated_at: sql`now()` }),
          )
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'membership.granted',
          entityType: 'membership',
          entityId: row.id,
          data: { userId, role, clientIds },
          ...auditOrigin(request),
        });
        return toMembership(row);
      });
    },
  );

  app.delete(
    '/memberships/:membershipId',
    {
      config: { permission: 'roles.manage' },
      schema: { tags: ['memberships'], params: z.object({ membershipId: z.uuid() }), response: { 204: z.undefined() } },
    },
    async (request, reply) => {
      const access = requireAccess(request);
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('memberships')
          .selectAll()
          .where('org_id', '=', access.orgId)
          .where('id', '=', request.params.membershipId)
          .executeTakeFirst();
        if (row === undefined) throw new AppError('NOT_FOUND', 'No such role grant in your agency.');
        assertMayGrant(access, row.role);
        // An org-wide owner grant is locked with every other one, in one order, by the guard (two revokes or a
        // revoke and a disable then wait for each other instead of deadlocking); any other grant on its own.
        if (row.role === 'owner' && row.client_ids === null) {
          await assertAnotherActiveOwnerRemains(trx, access.orgId, row.user_id);
        } else {
          await trx.selectFrom('memberships').select('id').where('id', '=', row.id).forUpdate().execute();
        }
        await trx.deleteFrom('memberships').where('org_id', '=', access.orgId).where('id', '=', row.id).execute();
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'membership.revoked',
          entityType: 'membership',
          entityId: row.id,
          data: { userId: row.user_id, role: row.role, clientIds: row.client_ids },
          ...auditOrigin(request),
        });
      });
      return reply.status(204).send();
    },
  );
  done();
};
