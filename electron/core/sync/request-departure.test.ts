import diagnosticsChannel from 'node:diagnostics_channel';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TURNS, yieldUntilRequestSent } from './request-departure';

describe('yieldUntilRequestSent', () => {
  let server: http.Server;
  let origin = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns once a request started behind awaits has been written, on a new and on a kept-alive connection', async () => {
    const sent: string[] = [];
    const record = (message: unknown) => sent.push(String((message as { request: { path: string } }).request.path));
    diagnosticsChannel.subscribe('undici:request:bodySent', record);
    try {
      for (const path of ['/pages/1', '/pages/2']) {
        const before = sent.length;
        // As the sync engine does: the session's await comes before fetch.
        const response = (async () => {
          await Promise.resolve();
          return fetch(`${origin}${path}`, { method: 'POST', body: '{"cursor":null}' });
        })();
        const turns = await yieldUntilRequestSent('/pages/');
        expect(sent.slice(before)).toEqual([path]);
        // It stopped because the request left, not because it ran out of turns.
        expect(turns).toBeLessThan(MAX_TURNS);
        await (await response).text();
      }
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:bodySent', record);
    }
  });

  it('gives up after a bounded number of turns when nothing is sent', async () => {
    expect(await yieldUntilRequestSent('/never/')).toBe(MAX_TURNS);
  });
});
