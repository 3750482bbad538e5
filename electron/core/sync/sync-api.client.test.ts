import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import fc from 'fast-check';
import { metricWireRowSchema, SYNC_PATHS, SYNC_PROTOCOL_VERSION } from '@kiki/shared/sync/sync-protocol';
import { AUTH_PATHS, createMetricRowParser, createSyncApiClient, serverOriginOf } from './sync-api.client';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** A tiny loopback server whose every request goes to `handler`. */
async function serve(handler: Handler): Promise<string> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => handler(request, body, response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const deviceId = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('sync API client', () => {
  it('sends the schema version, JSON and the bearer token, and parses the reply', async () => {
    const seen: { headers: IncomingMessage['headers']; body: string; url: string | undefined }[] = [];
    const url = await serve((request, body, response) => {
      seen.push({ headers: request.headers, body, url: request.url });
      json(response, 200, { deviceId, lastAckedMutationId: 7, serverVersion: 42 });
    });
    const api = createSyncApiClient({ serverUrl: url });
    const result = await api.register('access-1', { deviceId, lastMutationId: 7 });
    expect(result).toEqual({ deviceId, lastAckedMutationId: 7, serverVersion: 42 });
    expect(seen[0]?.url).toBe(SYNC_PATHS.register);
    expect(seen[0]?.headers['x-kiki-schema-version']).toBe(String(SYNC_PROTOCOL_VERSION));
    expect(seen[0]?.headers.authorization).toBe('Bearer access-1');
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ deviceId, lastMutationId: 7 });
  });

  it("keeps the server's error code and message", async () => {
    const url = await serve((_request, _body, response) =>
      json(response, 409, { error: { code: 'SYNC_GAP', message: 'Expected mutation 4.' } }),
    );
    const error = await failure(createSyncApiClient({ serverUrl: url }).push('t', { deviceId, mutations: [] }));
    expect(error.code).toBe('SYNC_GAP');
    expect(error.message).toBe('Expected mutation 4.');
  });

  it('turns 5xx, a refused connection and a timeout into UNAVAILABLE that says changes are kept', async () => {
    const url = await serve((request, _body, response) => {
      if (request.url === AUTH_PATHS.me) {
        json(response, 503, { error: { code: 'UNAVAILABLE', message: 'database down' } });
        return;
      }
      // Never answers: the client's timeout must end the wait.
    });
    const api = createSyncApiClient({ serverUrl: url, timeoutMs: 200 });
    const serverDown = await failure(api.me('t'));
    expect(serverDown.code).toBe('UNAVAILABLE');
    expect(serverDown.message).toBe(
      `Can't reach ${new URL(url).host}. Your changes are kept and will sync when the connection is back.`,
    );

    const timedOut = await failure(api.refresh('r'));
    expect(timedOut.code).toBe('UNAVAILABLE');
    expect(timedOut.details).toEqual({ cause: 'timed out' });

    const closed = await serve(() => undefined);
    const closedServer = servers.pop();
    await new Promise<void>((resolve) => closedServer?.close(() => resolve()));
    const refused = await failure(createSyncApiClient({ serverUrl: closed }).me('t'));
    expect(refused.code).toBe('UNAVAILABLE');
  });

  it('refuses a reply that does not match the protocol instead of trusting it', async () => {
    const url = await serve((_request, _body, response) => json(response, 200, { deviceId: 'nope' }));
    const error = await failure(createSyncApiClient({ serverUrl: url }).register('t', { deviceId, lastMutationId: 0 }));
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/does not understand/);
  });

  it('maps a bare 426 to UPDATE_REQUIRED and a bare 401 to UNAUTHENTICATED', async () => {
    const url = await serve((request, _body, response) => {
      response.writeHead(request.url === SYNC_PATHS.pull ? 426 : 401);
      response.end();
    });
    const api = createSyncApiClient({ serverUrl: url });
    expect((await failure(api.pull('t', { deviceId, cursor: null, knownClientIds: [] }))).code).toBe('UPDATE_REQUIRED');
    expect((await failure(api.me('t'))).code).toBe('UNAUTHENTICATED');
  });

  it('refuses plain http except to this computer', () => {
    expect(() => serverOriginOf('http://sync.agency.example')).toThrow(/Use https:\/\//);
    expect(serverOriginOf('https://Sync.Agency.example/path')).toBe('https://sync.agency.example');
    expect(serverOriginOf('http://localhost:4000')).toBe('http://localhost:4000');
    expect(createSyncApiClient({ serverUrl: 'https://kiki.example' }).liveUrl()).toBe(
      `wss://kiki.example${SYNC_PATHS.live}`,
    );
  });
});

describe('metric row parser', () => {
  const adId = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';
  const good = [adId, 'meta', '2026-03-01', adId, 1000, 10, 5_000_000, 1, -2_000_000];

  it('accepts valid tuples and refuses bad ones with the field named', () => {
    const parse = createMetricRowParser();
    expect(parse([good, good])).toHaveLength(2);
    expect(() => parse([good, [...good.slice(0, 2), '2026-02-30', ...good.slice(3)]])).toThrow(/rows\.1/);
    expect(() => parse([[...good.slice(0, 4), -1, ...good.slice(5)]])).toThrow(/rows\.0/);
    expect(() => parse([[adId, 'myspace', ...good.slice(2)]])).toThrow();
    expect(() => parse([good.slice(0, 8)])).toThrow();
  });

  it('agrees with the shared zod schema on any row, including near-misses', () => {
    const value = fc.oneof(
      fc.constantFrom<unknown>(adId, 'meta', 'tiktok', '2026-03-01', '2026-13-01', 'not-a-uuid', null, '1', 1.5),
      fc.integer({ min: -5, max: 5 }),
      fc.constant(Number.MAX_SAFE_INTEGER + 2),
    );
    const mutated = fc.tuple(fc.nat({ max: 8 }), value, fc.boolean()).map(([index, replacement, truncate]) => {
      const row: unknown[] = [...good];
      row[index] = replacement;
      return truncate && index === 8 ? row.slice(0, 8) : row;
    });
    fc.assert(
      fc.property(mutated, (row) => {
        const schemaSays = metricWireRowSchema.safeParse(row).success;
        let parserSays = true;
        try {
          createMetricRowParser()([row]);
        } catch {
          parserSays = false;
        }
        expect(parserSays).toBe(schemaSays);
      }),
      { numRuns: 2_000 },
    );
  });
});
