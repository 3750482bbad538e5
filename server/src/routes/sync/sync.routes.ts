import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { AppError, appErrorSchema } from '@kiki/shared/errors';
import {
  pullRequestSchema,
  pullResponseSchema,
  pushRequestSchema,
  pushResponseSchema,
  registerRequestSchema,
  registerResponseSchema,
  SYNC_PATHS,
  SYNC_SCHEMA_VERSION_HEADER,
} from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../../db/database';
import { auditOrigin } from '../../http/request-audit';
import { registerDevice } from '../../sync/device.service';
import { pullChanges } from '../../sync/pull.service';
import { pushMutations } from '../../sync/push.service';
import { requireSyncSchemaVersion } from '../../sync/schema-version';
import type { SyncActor } from '../../sync/sync-access';

/** This plugin is registered under /api/v1 (api.routes.ts); SYNC_PATHS are absolute. */
const API_PREFIX = '/api/v1';
const local = (path: string): string => path.slice(API_PREFIX.length);

const syncHeadersSchema = z.looseObject({
  [SYNC_SCHEMA_VERSION_HEADER]: z
    .string()
    .optional()
    .describe('Sync protocol version the device speaks; outside the supported range the answer is 426.'),
});

function actorOf(request: FastifyRequest): SyncActor {
  const auth = request.auth;
  if (auth === null) throw new AppError('UNAUTHENTICATED', 'Sign in to sync.');
  const origin = auditOrigin(request);
  return { orgId: auth.orgId, userId: auth.userId, ip: origin.ip, requestId: origin.requestId };
}

const errorBody = (description: string) => z.object({ error: appErrorSchema }).describe(description);

/**
 * Register, push and pull (DESIGN.md section 4; docs/sync-protocol.md). The routes only need a signed-in
 * user: what each one may touch is decided per row from the user's grants at that moment. Push checks
 * campaigns.edit / budgets.request for each target's client; pull sends only rows of clients readable now.
 * A route-level permission such as clients.read would refuse a user whose last grant was just revoked,
 * and that user's device must still pull once to learn scopesRevoked and purge what it holds.
 */
export const syncRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.post(
    local(SYNC_PATHS.register),
    {
      config: { permission: 'authenticated' },
      preValidation: requireSyncSchemaVersion,
      schema: {
        tags: ['sync'],
        summary: 'Register this install (device) for the signed-in user before its first push',
        headers: syncHeadersSchema,
        body: registerRequestSchema,
        response: {
          200: registerResponseSchema,
          403: errorBody('The device id belongs to another user (FORBIDDEN).'),
          426: errorBody('Unsupported sync protocol version (UPDATE_REQUIRED); details.supported = [min, max].'),
        },
      },
    },
    async (request) => registerDevice(db, actorOf(request), request.body),
  );

  app.post(
    local(SYNC_PATHS.push),
    {
      config: { permission: 'authenticated' },
      preValidation: requireSyncSchemaVersion,
      schema: {
        tags: ['sync'],
        summary: 'Apply queued mutations in order, each in its own transaction; duplicates are replayed',
        headers: syncHeadersSchema,
        body: pushRequestSchema,
        response: {
          200: pushResponseSchema,
          403: errorBody('The device belongs to another user (FORBIDDEN).'),
          404: errorBody('The device is not registered (NOT_FOUND).'),
          409: errorBody(
            'The first mutation id skips ids (SYNC_GAP); details: expectedMutationId, receivedMutationId.',
          ),
          426: errorBody('Unsupported sync protocol version (UPDATE_REQUIRED); details.supported = [min, max].'),
        },
      },
    },
    async (request) => pushMutations(db, actorOf(request), request.body),
  );

  app.post(
    local(SYNC_PATHS.pull),
    {
      config: { permission: 'authenticated' },
      preValidation: requireSyncSchemaVersion,
      schema: {
        tags: ['sync'],
        summary: 'Rows changed since the cursor (or a snapshot page), limited to clients readable now',
        headers: syncHeadersSchema,
        body: pullRequestSchema,
        response: {
          200: pullResponseSchema,
          403: errorBody('The device belongs to another user (FORBIDDEN).'),
          404: errorBody('The device is not registered (NOT_FOUND).'),
          426: errorBody('Unsupported sync protocol version (UPDATE_REQUIRED); details.supported = [min, max].'),
        },
      },
    },
    async (request) => pullChanges(db, actorOf(request), request.body),
  );
  done();
};
