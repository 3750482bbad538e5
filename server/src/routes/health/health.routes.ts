import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../db/database';
import { getMigrationStatus, pingDatabase } from '../../db/migrate';

const readySchema = z.object({
  ready: z.boolean(),
  database: z.enum(['ok', 'unreachable']),
  migrations: z.object({ current: z.boolean(), pending: z.array(z.string()), latest: z.string() }).nullable(),
});

/** Liveness says the process answers; readiness says it can serve: database reachable and schema current. */
export const healthRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/healthz',
    {
      config: { permission: 'public', rateLimit: false },
      schema: { tags: ['operations'], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { permission: 'public', rateLimit: false },
      schema: { tags: ['operations'], response: { 200: readySchema, 503: readySchema } },
    },
    async (request, reply) => {
      try {
        await pingDatabase(db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: database unreachable');
        return reply.status(503).send({ ready: false, database: 'unreachable', migrations: null });
      }
      const status = await getMigrationStatus(db);
      const body = {
        ready: status.current,
        database: 'ok' as const,
        migrations: { current: status.current, pending: status.pending, latest: status.latest },
      };
      return reply.status(status.current ? 200 : 503).send(body);
    },
  );
  done();
};
