import type { FastifyReply } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import {
  metricsIngestRequestSchema,
  metricsIngestResponseSchema,
  metricsPullRequestSchema,
  metricsPullResponseSchema,
  SYNC_PATHS,
} from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../../db/database';
import { requireAccess } from '../../plugins/rbac';
import { ingestMetrics } from '../../sync/metrics-ingest.service';
import { metricsPageJson, pullMetricsPage } from '../../sync/metrics-pull.service';
import { requireSyncSchemaVersion } from '../../sync/schema-version';

/** 50,000 rows as JSON objects are about 12 MB; the app-wide body limit is for ordinary requests. */
export const INGEST_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

export interface SyncMetricsRoutesOptions {
  db: Kysely<Database>;
  /** Injected by tests to roll the advertiser's day over. */
  clock?: () => Date;
}

/** Bulk metric ingest and the paged per-client metric pull (snapshot recent-first, then deltas). */
export const syncMetricsRoutes: FastifyPluginCallbackZod<SyncMetricsRoutesOptions> = (app, options, done) => {
  const { db } = options;
  const clock = options.clock ?? (() => new Date());

  app.post(
    SYNC_PATHS.metricsIngest,
    {
      config: { permission: 'metrics.ingest' },
      bodyLimit: INGEST_BODY_LIMIT_BYTES,
      preValidation: requireSyncSchemaVersion,
      schema: {
        tags: ['sync'],
        summary: 'Bulk upsert of daily metric rows by (ad, platform, date); all or nothing',
        body: metricsIngestRequestSchema,
        response: { 200: metricsIngestResponseSchema },
      },
    },
    async (request) => {
      const access = requireAccess(request);
      return ingestMetrics(db, {
        orgId: access.orgId,
        userId: access.userId,
        grants: access.grants,
        rows: request.body.rows,
        ip: request.ip,
        requestId: request.id,
        now: clock(),
      });
    },
  );

  app.post(
    SYNC_PATHS.metricsPull,
    {
      config: { permission: 'metrics.read' },
      preValidation: requireSyncSchemaVersion,
      schema: {
        tags: ['sync'],
        summary: "One page of an advertiser client's metrics: snapshot (recent days first), then deltas",
        body: metricsPullRequestSchema,
        response: { 200: metricsPullResponseSchema },
      },
    },
    async (request, reply) => {
      const access = requireAccess(request);
      const { deviceId, clientId, cursor, limit } = request.body;
      const page = await pullMetricsPage(db, {
        orgId: access.orgId,
        userId: access.userId,
        grants: access.grants,
        deviceId,
        clientId,
        cursor,
        ...(limit === undefined ? {} : { limit }),
        now: clock(),
      });
      // The schema above documents the page for OpenAPI, but zod-encoding up to 50,000 rows would cost more than
      // the query: the page goes out as the JSON text it was built as (a string body skips the serializer; the
      // tests check it against metricsPullResponseSchema).
      const untyped: FastifyReply = reply;
      return untyped.type('application/json; charset=utf-8').send(metricsPageJson(page));
    },
  );
  done();
};
