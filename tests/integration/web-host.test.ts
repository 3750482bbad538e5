import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRpcClient } from '@kiki/shared/rpc/rpc-client';
import { createWebSocketTransport, type WebSocketRpcTransport } from '@kiki/shared/rpc/websocket-client-transport';
import { startWebHost, type WebHost } from '../../electron/web-host/web-host';
import { WEB_HOST_CSP } from '../../electron/web-host/static-files';
import { createFakeAppCore, type FakeAppCore } from './fakes/fake-app-core';

const TOKEN = 'test-token-0123456789abcdef';

let host: WebHost;
let core: FakeAppCore;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = mkdtempSync(path.join(tmpdir(), 'kiki-renderer-'));
  mkdirSync(path.join(rendererDir, 'assets'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>KIKI</title>');
  writeFileSync(path.join(rendererDir, 'assets', 'app-1234.js'), 'console.log("kiki")');
  core = createFakeAppCore();
  host = await startWebHost({
    host: '127.0.0.1',
    token: TOKEN,
    dataDir: path.join(rendererDir, 'data'),
    demo: false,
    rendererDir,
    createCore: () => Promise.resolve(core),
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await host.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

/** Attempts an upgrade and reports the HTTP status of a refusal, or 'open' if the socket opened. */
function tryUpgrade(options: { token?: string; origin?: string; hostHeader?: string; path?: string }) {
  const query = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? '/rpc'}${query}`, {
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    headers: options.hostHeader === undefined ? {} : { host: options.hostHeader },
  });
  return new Promise<number | 'open'>((resolve, reject) => {
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', reject);
  });
}

function httpGet(pathname: string, hostHeader = `127.0.0.1:${host.port}`) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path: pathname, headers: { host: hostHeader } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function connectTransport(): WebSocketRpcTransport {
  const origin = `http://127.0.0.1:${host.port}`;
  // A browser sends its page's Origin by itself; the ws client has to be told.
  class BrowserLikeWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  }
  return createWebSocketTransport({
    url: `ws://127.0.0.1:${host.port}/rpc?token=${encodeURIComponent(TOKEN)}`,
    WebSocket: BrowserLikeWebSocket,
  });
}

const own = () => `http://127.0.0.1:${host.port}`;

describe('web host RPC socket', () => {
  it('refuses an upgrade without a token (401)', async () => {
    expect(await tryUpgrade({ origin: own() })).toBe(401);
  });

  it('refuses a wrong token (401), including one that is a prefix of the right one', async () => {
    expect(await tryUpgrade({ origin: own(), token: 'wrong-token-0123456789abcdef' })).toBe(401);
    expect(await tryUpgrade({ origin: own(), token: TOKEN.slice(0, -1) })).toBe(401);
  });

  it('refuses a foreign Origin (403) even with the right token', async () => {
    expect(await tryUpgrade({ origin: 'https://evil.example', token: TOKEN })).toBe(403);
    expect(await tryUpgrade({ origin: `http://127.0.0.1:${host.port + 1}`, token: TOKEN })).toBe(403);
  });

  it('refuses a missing Origin (403)', async () => {
    expect(await tryUpgrade({ token: TOKEN })).toBe(403);
  });

  it('refuses a Host header that is not loopback with our port (DNS rebinding, 403)', async () => {
    expect(await tryUpgrade({ origin: own(), token: TOKEN, hostHeader: `evil.example:${host.port}` })).toBe(403);
    expect(await tryUpgrade({ origin: own(), token: TOKEN, hostHeader: '127.0.0.1:1' })).toBe(403);
  });

  it('refuses upgrades on other paths (404)', async () => {
    expect(await tryUpgrade({ origin: own(), token: TOKEN, path: '/other' })).toBe(404);
  });

  it('accepts the right token from its own origin', async () => {
    expect(await tryUpgrade({ origin: own(), token: TOKEN })).toBe('open');
  });

  it('carries a real RPC round trip and a validation error envelope', async () => {
    const transport = connectTransport();
    try {
      const client = createRpcClient(transport);
      const clients = await client.call('clients.list', {});
      expect(clients).toEqual({ ok: true, value: { clients: [expect.objectContaining({ name: 'Acme Outdoor' })] } });
      const invalid = await transport.invoke('dashboard.summary', { clientId: 'nope', range: { from: 'x', to: 'y' } });
      expect(invalid.ok).toBe(false);
      if (!invalid.ok) {
        expect(invalid.error.code).toBe('VALIDATION_FAILED');
        expect(invalid.error.message).toMatch(/clientId/);
      }
      const missing = await transport.invoke('ads.detail', {
        adId: '0190f5a2-7c3e-7a10-8b2c-333333333333',
        range: { from: '2026-01-01', to: '2026-01-02' },
      });
      expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    } finally {
      transport.close();
    }
  });

  it("forwards core's events to every connected socket", async () => {
    const a = connectTransport();
    const b = connectTransport();
    try {
      await Promise.all([a.invoke('app.status', {}), b.invoke('app.status', {})]);
      const received = (t: WebSocketRpcTransport) =>
        new Promise<unknown>((resolve) => t.onEvent((event, payload) => resolve({ event, payload })));
      const both = Promise.all([received(a), received(b)]);
      core.emit('data.changed', { entities: ['campaigns'] });
      expect(await both).toEqual([
        { event: 'data.changed', payload: { entities: ['campaigns'] } },
        { event: 'data.changed', payload: { entities: ['campaigns'] } },
      ]);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('web host HTTP', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${TOKEN}`);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    const probe = (address: string) =>
      new Promise<string>((resolve) => {
        const req = request({ host: address, port: host.port, path: '/', timeout: 2_000 }, (res) => {
          res.resume();
          resolve('reachable');
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.end();
      });
    if (external) expect(await probe(external.address)).toBe('ECONNREFUSED');
    expect(['ECONNREFUSED', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']).toContain(await probe('::1'));
  });

  it('serves index.html with the CSP and nosniff headers', async () => {
    const res = await httpGet('/?token=x');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(WEB_HOST_CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toContain('<title>KIKI</title>');
  });

  it('serves assets with their content type', async () => {
    const res = await httpGet('/assets/app-1234.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toBe('console.log("kiki")');
  });

  it('falls back to index.html for client-side routes but 404s a missing asset', async () => {
    expect((await httpGet('/campaigns/0190f5a2')).body).toContain('<title>KIKI</title>');
    expect((await httpGet('/assets/missing.js')).status).toBe(404);
  });

  it('never serves files outside the renderer folder', async () => {
    writeFileSync(path.join(path.dirname(rendererDir), 'kiki-secret.txt'), 'secret');
    for (const p of ['/../kiki-secret.txt', '/..%2fkiki-secret.txt', '/%2e%2e/kiki-secret.txt']) {
      const res = await httpGet(p);
      expect(res.body).not.toContain('secret');
    }
    rmSync(path.join(path.dirname(rendererDir), 'kiki-secret.txt'));
  });

  it('refuses a foreign Host header and redirects localhost to the one origin', async () => {
    expect((await httpGet('/', 'attacker.example')).status).toBe(403);
    const redirect = await httpGet('/x?token=a', `localhost:${host.port}`);
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe(`http://127.0.0.1:${host.port}/x?token=a`);
  });
});

describe('web host lifecycle', () => {
  it('refuses a short token and any host but 127.0.0.1', async () => {
    const base = {
      dataDir: rendererDir,
      demo: false,
      rendererDir,
      createCore: () => Promise.resolve(createFakeAppCore()),
      logger: pino({ level: 'silent' }),
    };
    await expect(startWebHost({ ...base, host: '127.0.0.1', token: 'short' })).rejects.toThrow(/at least 16/);
    await expect(startWebHost({ ...base, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1 only/);
  });

  it('makes a fresh random token per run and closes core on close()', async () => {
    const own = createFakeAppCore();
    const started = await startWebHost({
      host: '127.0.0.1',
      dataDir: rendererDir,
      demo: false,
      rendererDir,
      createCore: () => Promise.resolve(own),
      logger: pino({ level: 'silent' }),
    });
    expect(started.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.token).not.toBe(host.token);
    await started.close();
    expect(own.closed).toBe(true);
  });
});
