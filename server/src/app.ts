import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { Database } from './db/database';
import { openApiTransform } from './http/openapi-transform';
import { createLogger } from './logger';
import { registerErrorHandler } from './plugins/error-handler';
import { observabilityPlugin } from './plugins/observability';
import { rbacPlugin } from './plugins/rbac';
import { authenticatePlugin } from './plugins/authenticate';
import { authRoutes } from './routes/auth/auth.routes';
import { healthRoutes } from './routes/health/health.routes';
import { apiRoutes } from './routes/api.routes';
import { liveRoutes } from './routes/sync/live.routes';
import { syncMetricsRoutes } from './routes/sync/metrics.routes';

export interface BuildAppOptions {
  config: Config;
  db: Kysely<Database>;
  logger?: Logger;
  /** Database URL for the live endpoint's dedicated LISTEN connection (not pooled); without it /sync/live answers 503. */
  databaseUrl?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * The whole HTTP surface, without listening: tests inject requests into it and server.ts listens.
 * Order matters: RBAC's onRoute check must be in place before any route is registered.
 */
export async function buildApp({ config, db, logger, databaseUrl }: BuildAppOptions): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger ?? createLogger(config);
  const base = Fastify({
    loggerInstance,
    trustProxy: config.trustProxy,
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: false,
    // Keep a caller's request id (for tracing across the desktop and the server) when it is sane.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
  });
  const app = base.withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // First: its onRequest hook marks upgrade requests so a refused one (401 from a later hook) still gets its
  // socket destroyed, and it wraps route handlers as they are added. Devices never send more than a close frame.
  await app.register(websocket, { options: { maxPayload: 4096 } });
  await app.register(helmet, { global: true });
  // CORS answers preflights from its own OPTIONS route before any hook runs; it is registered before RBAC's
  // onRoute check because a preflight carries no credentials and needs no permission.
  await app.register(cors, {
    // An empty allowlist means no cross-origin browser access at all; the desktop talks from Node.
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  await app.register(rateLimit, {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (request) => request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `Too many requests from this address; retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
  await app.register(rbacPlugin, { db });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'KIKI team sync server', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
  });
  await app.register(observabilityPlugin, { db, metricsToken: config.metricsToken });
  await app.register(authenticatePlugin, { config, db });

  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, () => app.swagger());
  await app.register(healthRoutes, { db });
  await app.register(authRoutes, { prefix: '/api/v1/auth', config, db });
  await app.register(apiRoutes, { prefix: '/api/v1', config, db });
  await app.register(liveRoutes, { db, ...(databaseUrl === undefined ? {} : { databaseUrl }) });
  await app.register(syncMetricsRoutes, { db });
  return base;
}
