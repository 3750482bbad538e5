import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '@kiki/shared/errors';
import { isLoopbackHost } from '../config';
import type { Database } from '../db/database';

/** Process-wide metrics: one Node process serves one app, and the auth code increments these directly. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'kiki_' });

export const httpRequestsTotal = new Counter({
  name: 'kiki_http_requests_total',
  help: 'HTTP requests served, by method, route template and status code.',
  labelNames: ['method', 'route', 'status_code'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDurationSeconds = new Histogram({
  name: 'kiki_http_request_duration_seconds',
  help: 'HTTP request latency by method and route template.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

/** Incremented by the auth code on every rejected sign-in, MFA code, token or refresh. */
export const authFailuresTotal = new Counter({
  name: 'kiki_auth_failures_total',
  help: 'Authentication failures, by reason (e.g. invalid_credentials, mfa_invalid, token_reused, locked).',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

/** Routes with an unmatched URL share one label so scanners cannot blow up the label set. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Each scrape counts sessions across every agency, so `/metrics` is for the operator's Prometheus only: with a
 * token it demands `Authorization: Bearer <token>`, without one it answers loopback clients alone. Runs before
 * anything touches the database, so a rejected scrape costs nothing.
 */
export function assertMayScrape(request: FastifyRequest, metricsToken: string | undefined): void {
  if (metricsToken === undefined) {
    if (isLoopbackHost(request.ip)) return;
    throw new AppError(
      'FORBIDDEN',
      '/metrics only answers this machine; set KIKI_METRICS_TOKEN on the server and send it as a Bearer token to scrape from elsewhere.',
    );
  }
  const header = request.headers.authorization;
  const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
  const expected = Buffer.from(metricsToken);
  const actual = Buffer.from(presented);
  // timingSafeEqual throws on unequal lengths; the length itself is no secret worth hiding.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new AppError(
      'UNAUTHENTICATED',
      'Send the metrics token (KIKI_METRICS_TOKEN) as `Authorization: Bearer <token>`.',
    );
  }
}

/**
 * Request count and latency by route template, and an `/metrics` endpoint in Prometheus text format that
 * also reports the sessions currently alive (queried at scrape time, so it is always true).
 */
export const observabilityPlugin = fp(
  (app: FastifyInstance, options: { db: Kysely<Database>; metricsToken?: string }, done: (err?: Error) => void) => {
    const perApp = new Registry();
    new Gauge({
      name: 'kiki_active_sessions',
      help: 'Sign-in sessions neither revoked nor expired.',
      registers: [perApp],
      async collect() {
        const row = await options.db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', new Date())
          .executeTakeFirstOrThrow();
        this.set(Number(row.count));
      },
    });

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      httpRequestsTotal.inc({ method: request.method, route, status_code: String(reply.statusCode) });
      httpRequestDurationSeconds.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });

    app.get(
      '/metrics',
      { config: { permission: 'public', rateLimit: false }, schema: { hide: true } },
      async (request, reply) => {
        assertMayScrape(request, options.metricsToken);
        const merged = Registry.merge([metricsRegistry, perApp]);
        return reply.type(merged.contentType).send(await merged.metrics());
      },
    );
    done();
  },
  { name: 'kiki-observability' },
);
