import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '@kiki/shared/errors';
import fc from 'fast-check';
import {
  METRIC_WIRE_MAX_DAY,
  metricWireAdSchema,
  SYNC_PATHS,
  SYNC_PROTOCOL_VERSION,
} from '@kiki/shared/sync/sync-protocol';
import { AUTH_PATHS, createMetricAdParser, createSyncApiClient, serverOriginOf } from './sync-api.client';

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

describe('metric ad parser', () => {
  const adId = '0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d';
  const good = [adId, 'meta', [0, 1, 5], [1000, 0, 7], [10, 0, 1], [5_000_000, 0, 1], [1, 0, 0], [-2_000_000, 0, 3]];
  const replace = (index: number, value: unknown) => good.map((part, i) => (i === index ? value : part));

  it('accepts valid ads and refuses bad ones with the field named', () => {
    const parse = createMetricAdParser();
    expect(parse([good, good])).toHaveLength(2);
    expect(() => parse([good, replace(2, [0, 0, 1])])).toThrow(/ads\.1.*appears twice/);
    // Days usually rise (the fast path) but distinct days in any order are valid too.
    expect(parse([replace(2, [5, 0, 1])])).toHaveLength(1);
    expect(() => parse([replace(3, [1000, -1, 7])])).toThrow(/ads\.0/);
    expect(() => parse([replace(4, [10, 0])])).toThrow(/2 values for 3 days/);
    expect(() => parse([replace(2, [])])).toThrow(/at least one day/);
    expect(() => parse([replace(1, 'myspace')])).toThrow();
    expect(() => parse([good.slice(0, 7)])).toThrow();
  });

  it('agrees with the shared zod schema on any ad, including near-misses', () => {
    const scalar = fc.oneof(
      fc.constantFrom<unknown>(adId, 'meta', 'tiktok', 'not-a-uuid', null, '1', 1.5, -1, METRIC_WIRE_MAX_DAY + 1),
      fc.integer({ min: -5, max: 5 }),
      fc.constant(Number.MAX_SAFE_INTEGER + 2),
    );
    const column = fc.oneof(fc.array(scalar, { maxLength: 4 }), scalar);
    const mutated = fc
      .tuple(fc.nat({ max: 7 }), fc.oneof(scalar, column), fc.boolean())
      .map(([index, replacement, truncate]) => {
        const ad = replace(index, replacement);
        return truncate && index === 7 ? ad.slice(0, 7) : ad;
      });
    fc.assert(
      fc.property(mutated, (ad) => {
        const schemaSays = metricWireAdSchema.safeParse(ad).success;
        let parserSays = true;
        try {
          createMetricAdParser()([ad]);
        } catch {
          parserSays = false;
        }
        expect(parserSays).toBe(schemaSays);
      }),
      { numRuns: 3_000 },
    );
  });
});
