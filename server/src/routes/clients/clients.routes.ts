import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { newId } from '@kiki/shared/ids';
import { currencySchema, microsSchema } from '@kiki/shared/money';
import { appendAudit } from '../../audit/audit.service';
import type { ClientRow, Database } from '../../db/database';
import { auditOrigin } from '../../http/request-audit';
import { requireAccess } from '../../plugins/rbac';
import { pageQuerySchema, pageSchema, toPage } from '../pagination.schema';
import { isValidTimezone } from './timezone';

export const clientResponseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  currency: z.string(),
  timezone: z.string(),
  budgetApprovalThresholdMicros: z.number().int().nullable(),
  archived: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const timezoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimezone, { message: 'must be an IANA timezone like Europe/Berlin' });

const clientCreateSchema = z.strictObject({
  id: z.uuid().optional(),
  name: z.string().trim().min(1).max(200),
  currency: currencySchema,
  timezone: timezoneSchema,
  budgetApprovalThresholdMicros: microsSchema.nonnegative().nullable().optional(),
});

const clientUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    currency: currencySchema.optional(),
    timezone: timezoneSchema.optional(),
    budgetApprovalThresholdMicros: microsSchema.nonnegative().nullable().optional(),
    archived: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one field to change' });

const clientParamsSchema = z.object({ clientId: z.uuid() });

const clientListQuerySchema = pageQuerySchema.extend({
  search: z.string().trim().max(200).optional(),
  includeArchived: z.enum(['true', 'false']).default('false'),
});

function toClient(row: ClientRow): z.infer<typeof clientResponseSchema> {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    timezone: row.timezone,
    budgetApprovalThresholdMicros: row.budget_approval_threshold_micros,
    archived: row.archived_at !== null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Advertiser brands. Reads are limited to the clients the caller's grants reach. */
export const clientsRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/clients',
    {
      config: { permission: 'clients.read' },
      schema: {
        tags: ['clients'],
        querystring: clientListQuerySchema,
        response: { 200: pageSchema(clientResponseSchema) },
      },
    },
    async (request) => {
      const access = requireAccess(request);
      const { limit, offset, search, includeArchived } = request.query;
      let query = db.selectFrom('clients').selectAll().where('org_id', '=', access.orgId);
      if (access.clients !== 'all') query = query.where('id', 'in', access.clients);
      if (includeArchived === 'false') query = query.where('archived_at', 'is', null);
      if (search !== undefined && search !== '') {
        query = query.where('name', 'ilike', `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      }
      const rows = await query
        .orderBy('name')
        .orderBy('id')
        .limit(limit + 1)
        .offset(offset)
        .execute();
      const page = toPage(rows, limit, offset);
      return { items: page.items.map(toClient), nextOffset: page.nextOffset };
    },
  );

  app.get(
    '/clients/:clientId',
    {
      config: { permission: 'clients.read' },
      schema: { tags: ['clients'], params: clientParamsSchema, response: { 200: clientResponseSchema } },
    },
    async (request) => {
      const access = requireAccess(request);
      const row = await db
        .selectFrom('clients')
        .selectAll()
        .where('org_id', '=', access.orgId)
        .where('id', '=', request.params.clientId)
        .executeTakeFirst();
      if (row === undefined) throw new AppError('NOT_FOUND', 'No such client in your agency.');
      return toClient(row);
    },
  );

  app.post(
    '/clients',
    {
      config: { permission: 'clients.manage', grantScope: 'org' },
      schema: { tags: ['clients'], body: clientCreateSchema, response: { 201: clientResponseSchema } },
    },
    async (request, reply) => {
      const access = requireAccess(request);
      const body = request.body;
      const created = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('clients')
          .values({
            id: body.id ?? newId(),
            org_id: access.orgId,
            name: body.name,
            currency: body.currency,
            timezone: body.timezone,
            budget_approval_threshold_micros: body.budgetApprovalThresholdMicros ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'client.created',
          entityType: 'client',
          entityId: row.id,
          data: { client: body },
          ...auditOrigin(request),
        });
        return row;
      });
      return reply.status(201).send(toClient(created));
    },
  );

  app.patch(
    '/clients/:clientId',
    {
      config: { permission: 'clients.manage' },
      schema: {
        tags: ['clients'],
        params: clientParamsSchema,
        body: clientUpdateSchema,
        response: { 200: clientResponseSchema },
      },
    },
    async (request) => {
      const access = requireAccess(request);
      const { archived, budgetApprovalThresholdMicros, ...fields } = request.body;
      return db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('clients')
          .selectAll()
          .where('org_id', '=', access.orgId)
          .where('id', '=', request.params.clientId)
          .forUpdate()
          .executeTakeFirst();
        if (before === undefined) throw new AppError('NOT_FOUND', 'No such client in your agency.');
        const after = await trx
          .updateTable('clients')
          .set({
            ...fields,
            ...(budgetApprovalThresholdMicros === undefined
              ? {}
              : { budget_approval_threshold_micros: budgetApprovalThresholdMicros }),
            ...(archived === undefined ? {} : { archived_at: archived ? (before.archived_at ?? new Date()) : null }),
            updated_at: new Date(),
          })
          .where('org_id', '=', access.orgId)
          .where('id', '=', before.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAudit(trx, {
          orgId: access.orgId,
          actorUserId: access.userId,
          action: 'client.updated',
          entityType: 'client',
          entityId: before.id,
          data: { before: toClient(before), changes: request.body },
          ...auditOrigin(request),
        });
        return toClient(after);
      });
    },
  );
  done();
};
