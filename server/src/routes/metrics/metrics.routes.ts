import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { AppError } from '@kiki/shared/errors';
import { isoDateSchema } from '@kiki/shared/dates';
import { dailyMetricSchema } from '@kiki/shared/contract/rpc-contract';
import type { Database } from '../../db/database';
import { requireAccess } from '../../plugins/rbac';
import { assertClientInOrg } from '../clients/client-exists';
import { pageSchema, PAGE_MAX, toPage } from '../pagination.schema';

const MAX_RANGE_DAYS = 800;

/** ISO 8601 has a year 0000 but PostgreSQL's date type does not: without this it reached the database as a 500. */
const metricsDateSchema = isoDateSchema.refine((d) => d >= '0001-01-01', {
  message: 'dates start at 0001-01-01; use a real reporting date',
});

const dailyQuerySchema = z
  .object({
    clientId: z.uuid().optional(),
    campaignId: z.uuid().optional(),
    from: metricsDateSchema,
    to: metricsDateSchema,
    limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(100),
    offset: z.coerce.number().int().min(0).max(MAX_RANGE_DAYS).default(0),
  })
  .refine((q) => q.clientId !== undefined || q.campaignId !== undefined, {
    message: 'give clientId or campaignId',
    path: ['clientId'],
  })
  .refine((q) => q.from <= q.to, { message: 'from must be on or before to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_RANGE_DAYS, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['to'],
  });

/** Daily totals (summed over ads and platforms) for one client or campaign; ratios are derived by the reader. */
export const metricsRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/metrics/daily',
    {
      config: { permission: 'metrics.read' },
      schema: { tags: ['metrics'], querystring: dailyQuerySchema, response: { 200: pageSchema(dailyMetricSchema) } },
    },
    async (request) => {
      const access = requireAccess(request);
      const { clientId, campaignId, from, to, limit, offset } = request.query;
      let query = db
        .selectFrom('performance_metrics')
        .select([
          'date',
          sql<number>`sum(impressions)::bigint`.as('impressions'),
          sql<number>`sum(clicks)::bigint`.as('clicks'),
          sql<number>`sum(spend_micros)::bigint`.as('spendMicros'),
          sql<number>`sum(conversions)::bigint`.as('conversions'),
          sql<number>`sum(revenue_micros)::bigint`.as('revenueMicros'),
        ])
        .where('org_id', '=', access.orgId)
        .where('date', '>=', from)
        .where('date', '<=', to);
      if (clientId !== undefined) {
        await assertClientInOrg(db, access.orgId, clientId);
        query = query.where('client_id', '=', clientId);
      }
      if (campaignId !== undefined) {
        // The campaign must be one the caller can see; otherwise it is reported as missing.
        let campaign = db
          .selectFrom('campaigns')
          .select('id')
          .where('org_id', '=', access.orgId)
          .where('id', '=', campaignId);
        if (access.clients !== 'all') campaign = campaign.where('client_id', 'in', access.clients);
        if ((await campaign.executeTakeFirst()) === undefined) {
          throw new AppError('NOT_FOUND', 'No such campaign among the clients you can see.');
        }
        query = query.where('campaign_id', '=', campaignId);
      }
      if (access.clients !== 'all') query = query.where('client_id', 'in', access.clients);
      const rows = await query
        .groupBy('date')
        .orderBy('date')
        .limit(limit + 1)
        .offset(offset)
        .execute();
      const page = toPage(rows, limit, offset);
      return {
        items: page.items.map((r) => ({
          date: r.date,
          impressions: Number(r.impressions),
          clicks: Number(r.clicks),
          spendMicros: Number(r.spendMicros),
          conversions: Number(r.conversions),
          revenueMicros: Number(r.revenueMicros),
        })),
        nextOffset: page.nextOffset,
      };
    },
  );
  done();
};
