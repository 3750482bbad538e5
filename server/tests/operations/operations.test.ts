import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app';
import { createDatabase } from '../../src/db/create-database';
import { createLogger } from '../../src/logger';
import { registerErrorHandler } from '../../src/plugins/error-handler';
import { createTestApp, errorCodeOf, testConfig, type TestApp } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-database';
import { serverMigrations } from '../../migrations/migrations.index';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ corsOrigins: ['https://app.kiki.test'] });
});
afterAll(async () => {
  await t.destroy();
});

describe('health and readiness', () => {
  it('reports alive and ready with migrations current', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, database: 'ok', migrations: { current: true, pending: [] } });
  });

  it('reports not ready while migrations are pending', async () => {
    const empty = await createTestDatabase({ migrated: false });
    const app = await buildApp({ config: testConfig(), db: empty.db, logger: pino({ level: 'silent' }) });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        ready: false,
        migrations: { current: false, pending: Object.keys(serverMigrations).sort() },
      });
    } finally {
      await app.close();
      await empty.destroy();
    }
  });
});

describe('readiness without a database', () => {
  it('answers 503 database unreachable instead of failing', async () => {
    const unreachable = createDatabase({ url: 'postgres://nobody:nothing@127.0.0.1:1/none' });
    const app = await buildApp({ config: testConfig(), db: unreachable, logger: pino({ level: 'silent' }) });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ ready: false, database: 'unreachable', migrations: null });
      expect((await app.inject('/healthz')).statusCode).toBe(200);
    } finally {
      await app.close();
      await unreachable.destroy();
    }
  });
});

describe('metrics', () => {
  it('exposes request counts and latency by route, auth failures and active sessions', async () => {
    const org = await t.createOrg();
    const user = await t.createUser({ orgId: org.id, role: 'analyst' });
    await t.app.inject({ method: 'GET', url: '/api/v1/org', headers: await t.authHeader(user) });
    await t.app.inject({ method: 'GET', url: '/api/v1/org', headers: { authorization: 'Bearer a.b.c' } });
    const text = (await t.app.inject('/metrics')).body;
    expect(text).toMatch(/kiki_http_requests_total\{method="GET",route="\/api\/v1\/org",status_code="200"\} \d+/);
    expect(text).toMatch(
      /kiki_http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/api\/v1\/org"\}/,
    );
    expect(text).toMatch(/kiki_auth_failures_total\{reason="[a-z_]+"\} [1-9]/);
    const sessions = /kiki_active_sessions (\d+)/.exec(text);
    expect(Number(sessions?.[1])).toBeGreaterThanOrEqual(1);
  });
});

describe('who may scrape /metrics', () => {
  const TOKEN = 'metrics-token-that-is-long-enough-0123456789';

  it('without a token, answers loopback clients only and tells others to set KIKI_METRICS_TOKEN', async () => {
    for (const remoteAddress of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) {
      const res = await t.app.inject({ url: '/metrics', remoteAddress });
      expect(res.statusCode, remoteAddress).toBe(200);
      expect(res.body).toMatch(/kiki_active_sessions \d+/);
    }
    for (const remoteAddress of ['10.0.0.7', '203.0.113.9', '::ffff:10.0.0.1', '2001:db8::1', '128.0.0.1']) {
      const res = await t.app.inject({ url: '/metrics', remoteAddress });
      expect(res.statusCode, remoteAddress).toBe(403);
      const body = res.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe('FORBIDDEN');
      expect(body.error.message).toContain('KIKI_METRICS_TOKEN');
      expect(res.body).not.toMatch(/kiki_active_sessions/);
    }
  });

  it('with a token, demands it as a Bearer token from every client, loopback included', async () => {
    // The whole path: KIKI_METRICS_TOKEN in config, forwarded by buildApp, enforced by the plugin.
    const withToken = await createTestApp({ metricsToken: TOKEN });
    const { app } = withToken;
    try {
      for (const remoteAddress of ['127.0.0.1', '203.0.113.9']) {
        const ok = await app.inject({ url: '/metrics', remoteAddress, headers: { authorization: `Bearer ${TOKEN}` } });
        expect(ok.statusCode, remoteAddress).toBe(200);
        expect(ok.body).toMatch(/kiki_active_sessions \d+/);
        for (const authorization of [
          undefined,
          `Bearer ${TOKEN.slice(0, -1)}x`,
          `Bearer ${TOKEN}x`,
          'Bearer ',
          TOKEN,
        ]) {
          const res = await app.inject({
            url: '/metrics',
            remoteAddress,
            headers: authorization === undefined ? {} : { authorization },
          });
          expect(res.statusCode, `${remoteAddress} ${authorization ?? 'none'}`).toBe(401);
          const body = res.json<{ error: { code: string; message: string } }>();
          expect(body.error.code).toBe('UNAUTHENTICATED');
          expect(body.error.message).toContain('KIKI_METRICS_TOKEN');
        }
      }
      expect(app.routeDeclarations).toContainEqual(expect.objectContaining({ url: '/metrics', permission: 'public' }));
    } finally {
      await withToken.destroy();
    }
  });
});

describe('HTTP surface', () => {
  it('publishes an OpenAPI 3.1 document with the data and auth routes', async () => {
    const doc = (await t.app.inject('/openapi.json')).json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/clients', '/api/v1/clients/{clientId}', '/api/v1/audit', '/api/v1/auth/login']),
    );
    type Operation = { security?: unknown[]; responses: Record<string, unknown> };
    const paths = doc.paths as Record<string, Record<string, Operation>>;
    const listClients = paths['/api/v1/clients']?.get;
    expect(Object.keys(listClients?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '429']),
    );
    expect(paths['/healthz']?.get?.security).toEqual([]);
    expect(paths['/api/v1/auth/me']?.get?.responses).not.toHaveProperty('403');
  });

  it('allows CORS only for listed origins', async () => {
    const preflight = (origin: string) =>
      t.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/org',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    expect((await preflight('https://app.kiki.test')).headers['access-control-allow-origin']).toBe(
      'https://app.kiki.test',
    );
    expect((await preflight('https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps a sane caller request id and makes one otherwise', async () => {
    const given = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'desktop-123' } });
    expect(given.headers['x-request-id']).toBe('desktop-123');
    const bogus = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(bogus.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with 404 NOT_FOUND and sets security headers', async () => {
    const res = await t.app.inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(errorCodeOf(res)).toBe('NOT_FOUND');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('rate-limits per IP with 429 RATE_LIMITED and Retry-After', async () => {
    const limited = await createTestApp({ rateLimitPerMinute: 3 });
    try {
      const statuses: number[] = [];
      let last = await limited.app.inject('/api/v1/org');
      for (let i = 0; i < 4; i++) {
        last = await limited.app.inject({ url: '/api/v1/org', remoteAddress: '10.0.0.9' });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(errorCodeOf(last)).toBe('RATE_LIMITED');
      expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
      // Another address still gets through.
      expect((await limited.app.inject({ url: '/api/v1/org', remoteAddress: '10.0.0.10' })).statusCode).toBe(401);
    } finally {
      await limited.destroy();
    }
  });
});

describe('error handler', () => {
  it('hides unexpected errors behind a generic 500 and keeps the detail in the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const loggerInstance: FastifyBaseLogger = pino({ level: 'error' }, sink);
    const app = Fastify({ loggerInstance });
    registerErrorHandler(app);
    app.get('/boom', () => {
      throw new Error('connection string postgres://secret@db');
    });
    const res = await app.inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(errorCodeOf(res)).toBe('INTERNAL');
    expect(res.body).not.toContain('secret');
    expect(lines.join('')).toContain('postgres://secret@db');
    await app.close();
  });
});

describe('logs', () => {
  it('redact authorization headers, passwords, tokens and TOTP codes', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ logLevel: 'info' }, sink);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer eyJhbGciOi.secret.sig', cookie: 'sid=cookie-secret' } },
        body: { email: 'a@b.test', password: 'hunter2hunter2', refreshToken: 'refresh-secret' },
        nested: { mfa: { code: '123456', totp: '654321' } },
      },
      'request',
    );
    const out = lines.join('');
    for (const secret of ['eyJhbGciOi', 'cookie-secret', 'hunter2hunter2', 'refresh-secret', '123456', '654321']) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('a@b.test');
    expect(out).toContain('[Redacted]');
  });
});
