import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { WebSocket } from 'ws';
import { AppError } from '@kiki/shared/errors';
import { SYNC_PATHS, type LiveMessage } from '@kiki/shared/sync/sync-protocol';
import type { Database } from '../../db/database';
import { requireAccess } from '../../plugins/rbac';
import { createLiveHub } from '../../sync/live-hub';
import { currentSyncVersions, liveReadableClients, liveSessionIds } from '../../sync/live-access';
import { startNotifyListener } from '../../sync/notify-listener';
import { requireSyncSchemaVersion } from '../../sync/schema-version';

export interface LiveRoutesOptions {
  db: Kysely<Database>;
  /** URL for the dedicated LISTEN connection; without it the endpoint answers 503 instead of never poking. */
  databaseUrl?: string;
  /** How long start-up waits for the first LISTEN before serving anyway (it keeps retrying). */
  listenerStartTimeoutMs?: number;
}

/**
 * GET SYNC_PATHS.live: a WebSocket that only pokes (`hello` with the agency's version on open, then `poke`
 * whenever something this user may read changed); the device pushes and pulls over HTTP. Auth and the schema
 * version are checked on the upgrade request, so a refused device gets an ordinary 401/403/426 JSON answer.
 */
export const liveRoutes: FastifyPluginAsync<LiveRoutesOptions> = async (app, options) => {
  const { db } = options;
  const hub = createLiveHub({
    readableClients: (orgId, userId) => liveReadableClients(db, orgId, userId),
    liveSessions: (sessionIds) => liveSessionIds(db, sessionIds),
    currentVersions: (orgIds) => currentSyncVersions(db, orgIds),
    onError: (error) => app.log.warn({ err: error }, 'live poke fan-out failed'),
  });
  const listener =
    options.databaseUrl === undefined
      ? null
      : startNotifyListener({
          connectionString: options.databaseUrl,
          onNotification: (notification) => hub.handle(notification),
          onReconnect: () => {
            app.log.info('sync listener reconnected; poking every live connection');
            hub.pokeEveryone();
          },
          onError: (error) => app.log.warn({ err: error }, 'sync listener connection failed; retrying'),
        });
  app.addHook('onClose', async () => {
    hub.close();
    await listener?.close();
  });
  if (listener !== null) {
    const timeoutMs = options.listenerStartTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([listener.ready, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    if (!listener.isListening()) app.log.warn('sync listener not connected yet; live pokes start once it is');
  }

  app.route({
    method: 'GET',
    url: SYNC_PATHS.live,
    config: { permission: 'clients.read' },
    schema: {
      tags: ['sync'],
      summary: 'WebSocket (upgrade): pokes when data this user may read changed; see docs/sync-protocol.md',
    },
    // After RBAC (a global preValidation hook), so a caller without a token or permission hears 401/403 first.
    preValidation: [
      requireSyncSchemaVersion,
      (_request, _reply, next) => {
        next(
          listener === null
            ? new AppError('UNAVAILABLE', 'Live updates are not configured on this server; the app syncs on a timer.')
            : undefined,
        );
      },
    ],
    handler: () => {
      throw new AppError('VALIDATION_FAILED', 'Open this endpoint as a WebSocket (Connection: Upgrade).');
    },
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const access = requireAccess(request);
      const auth = request.auth;
      if (auth === null) throw new AppError('UNAUTHENTICATED', 'Sign in to use this endpoint.');
      hub.add(socket, {
        orgId: access.orgId,
        userId: access.userId,
        sessionId: auth.sessionId,
        readable: access.clients === 'all' ? 'all' : new Set(access.clients),
        expiresAt: auth.expiresAt,
      });
      // Registered before the version is read, so a change committed in between still pokes.
      currentSyncVersions(db, [access.orgId])
        .then((versions) => {
          const hello: LiveMessage = { type: 'hello', serverVersion: versions.get(access.orgId) ?? 0 };
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(hello));
        })
        .catch((error: unknown) => {
          app.log.warn({ err: error }, 'live hello failed');
          socket.close(1011, 'server error; reconnect');
        });
    },
  });
};
