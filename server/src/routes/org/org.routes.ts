import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { appendAudit } from '../../audit/audit.service';
import type { Database, OrganizationRow } from '../../db/database';
import { auditOrigin } from '../../http/request-audit';
import { requireAccess } from '../../plugins/rbac';

export const organizationSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  mfaRequired: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const orgUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    mfaRequired: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one of name, mfaRequired' });

function toOrganization(row: OrganizationRow): z.infer<typeof organizationSchema> {
  return {
    id: row.id,
    name: row.name,
    mfaRequired: row.mfa_required,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The caller's own agency: everyone signed in may read it; settings (incl. requiring MFA) are admin work. */
export const orgRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/org',
    { config: { permission: 'org.read' }, schema: { tags: ['agency'], response: { 200: organizationSchema } } },
    async (request) => {
      const { orgId } = requireAccess(request);
      const row = await db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
      if (row === undefined) throw new AppError('NOT_FOUND', 'Your agency no longer exists.');
      return toOrganization(row);
    },
  );

  app.patch(
    '/org',
    {
      config: { permission: 'org.settings.manage' },
      schema: { tags: ['agency'], body: orgUpdateSchema, response: { 200: organizationSchema } },
    },
    async (request) => {
      const access = requireAccess(request);
      const body = request.body;
      return db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('organizations')
          .selectAll()
          .where('id', '=', access.orgId)
          .forUpdate()
          .executeTakeFirst();
        if (before === undefined) throw new AppError('NOT_FOUND', 'Your agency no longer exists.');
        const after = await trx
          .updateTable('organizations')
          .set({
            ...(body.name === undefined ? {} : { name: body.name }),
            ...(body.mfaRequired === undefined ? {} : { mfa_required: body.mfaRequired }),
            updated_at: new Date(),
          })
          .where('id', '=', access.orgId)
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'org.updated',
          entityType: 'organization',
          entityId: access.orgId,
          data: { before: { name: before.name, mfaRequired: before.mfa_required }, changes: body },
          ...auditOrigin(request),
        });
        return toOrganization(after);
      });
    },
  );
  done();
};
