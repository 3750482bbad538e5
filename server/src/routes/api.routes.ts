import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { auditRoutes } from './audit/audit.routes';
import { campaignsRoutes } from './campaigns/campaigns.routes';
import { clientsRoutes } from './clients/clients.routes';
import { membershipsRoutes } from './memberships/memberships.routes';
import { metricsRoutes } from './metrics/metrics.routes';
import { orgRoutes } from './org/org.routes';
import { syncRoutes } from './sync/sync.routes';
import { usersRoutes } from './users/users.routes';

/** The data API under /api/v1; every route declares the permission it needs. */
export const apiRoutes: FastifyPluginAsync<{ config: Config; db: Kysely<Database> }> = async (app, { db }) => {
  await app.register(orgRoutes, { db });
  await app.register(clientsRoutes, { db });
  await app.register(usersRoutes, { db });
  await app.register(membershipsRoutes, { db });
  await app.register(campaignsRoutes, { db });
  await app.register(metricsRoutes, { db });
  await app.register(auditRoutes, { db });
  await app.register(syncRoutes, { db });
};
