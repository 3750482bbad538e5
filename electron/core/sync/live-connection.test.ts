import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppError } from '@kiki/shared/errors';
import {
  LIVE_CLOSE_UNAUTHENTICATED,
  LIVE_CLOSE_UPDATE_REQUIRED,
  SYNC_PROTOCOL_VERSION,
} from '@kiki/shared/sync/sync-protocol';
import { createBackoff } from './backoff';
import { createLiveConnection, type LiveConnection } from './live-connection';

interface FakeLiveServer {
  url: string;
  sockets: WebSocket[];
  requests: IncomingMessage[];
  /** Answer the next upgrade with this plain HTTP status instead of accepting it. */
  refuseNext(status: number): void;
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeLiveServer(): Promise<FakeLiveServer> {
  const wss = new WebSocketServer({ noServer: true });
  const sockets: WebSocket[] = [];
  const requests: IncomingMessage[] = [];
  let refuse: number | null = null;
  const server: Server = createServer();
  server.on('upgrade', (request: IncomingMessage, socket, head) => {
    requests.push(request);
    if (refuse !== null) {
      socket.end(`HTTP/1.1 ${refuse} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      refuse = null;
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.push(ws);
      ws.send(JSON.stringify({ type: 'hello', serverVersion: 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  cleanups.push(close);
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/sync/live`,
    sockets,
    requests,
    refuseNext: (status) => (refuse = status),
    close,
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function connectTo(url: string, overrides: { renewAccess?: (stale: string) => Promise<string> } = {}) {
  const pokes: number[] = [];
  const openStates: boolean[] = [];
  const updates: AppError[] = [];
  const renewals: string[] = [];
  let token = 'access-1';
  const live: LiveConnection = createLiveConnection({
    url: () => url,
    accessToken: () => Promise.resolve(token),
    renewAccess:
      overrides.renewAccess ??
      ((stale) => {
        renewals.push(stale);
        token = `access-${renewals.length + 1}`;
        return Promise.resolve(token);
      }),
    onPoke: (version) => pokes.push(version),
    onOpenChange: (open) => openStates.push(open),
    onUpdateRequired: (error) => updates.push(error),
    backoff: createBackoff({ baseMs: 10, capMs: 20 }),
  });
  cleanups.push(() => live.stop());
  live.start();
  return { live, pokes, openStates, updates, renewals };
}

describe('live connection', () => {
  it('connects with the bearer token and schema version, and turns hello and pokes into sync triggers', async () => {
    const server = await fakeLiveServer();
    const client = connectTo(server.url);
    await until(() => client.pokes.length === 1, 'hello');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer access-1');
    expect(server.requests[0]?.headers['x-kiki-schema-version']).toBe(String(SYNC_PROTOCOL_VERSION));
    expect(client.live.isOpen()).toBe(true);
    server.sockets[0]?.send(JSON.stringify({ type: 'poke', serverVersion: 7 }));
    server.sockets[0]?.send('not json');
    server.sockets[0]?.send(JSON.stringify({ type: 'poke', serverVersion: 8 }));
    await until(() => client.pokes.length === 3, 'two pokes');
    expect(client.pokes).toEqual([1, 7, 8]);
  });

  it('keeps exactly one socket when stopped and started again before the old close arrives', async () => {
    const server = await fakeLiveServer();
    const client = connectTo(server.url);
    await until(() => client.live.isOpen(), 'first connection');
    client.live.stop();
    client.live.start();
    await until(() => server.sockets.length === 2 && client.live.isOpen(), 'second connection');
    // Long enough for the old socket's close and any reconnect it could schedule (backoff 10-20 ms).
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.sockets.length).toBe(2);
    expect(server.sockets.filter((ws) => ws.readyState === ws.OPEN)).toHaveLength(1);
    expect(client.live.isOpen()).toBe(true);
  });

  it('reconnects with backoff after the connection drops', async () => {
    const server = await fakeLiveServer();
    const client = connectTo(server.url);
    await until(() => server.sockets.length === 1 && client.live.isOpen(), 'first connection');
    server.sockets[0]?.terminate();
    await until(() => server.sockets.length === 2, 'reconnect');
    await until(() => client.live.isOpen(), 'open again');
    expect(client.openStates).toEqual([true, false, true]);
  });

  it('renews the access token when closed with 4401 or refused with 401, then reconnects', async () => {
    const server = await fakeLiveServer();
    const client = connectTo(server.url);
    await until(() => client.live.isOpen(), 'open');
    server.sockets[0]?.close(LIVE_CLOSE_UNAUTHENTICATED, 'token expired');
    await until(() => server.sockets.length === 2, 'reconnect after 4401');
    expect(client.renewals).toEqual(['access-1']);
    expect(server.requests[1]?.headers.authorization).toBe('Bearer access-2');

    server.refuseNext(401);
    server.sockets[1]?.terminate();
    await until(() => server.sockets.length === 3, 'reconnect after a refused upgrade');
    expect(client.renewals).toEqual(['access-1', 'access-2']);
  });

  it('stops for good and reports update required on 4426', async () => {
    const server = await fakeLiveServer();
    const client = connectTo(server.url);
    await until(() => client.live.isOpen(), 'open');
    server.sockets[0]?.close(LIVE_CLOSE_UPDATE_REQUIRED, 'update');
    await until(() => client.updates.length === 1, 'update required');
    expect(client.updates[0]?.code).toBe('UPDATE_REQUIRED');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(server.sockets).toHaveLength(1);
  });

  it('gives up when the session cannot be renewed', async () => {
    const server = await fakeLiveServer();
    const client = connectTo(server.url, {
      renewAccess: () => Promise.reject(new AppError('UNAUTHENTICATED', 'sign in again')),
    });
    await until(() => client.live.isOpen(), 'open');
    server.sockets[0]?.close(LIVE_CLOSE_UNAUTHENTICATED, 'revoked');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.sockets).toHaveLength(1);
    expect(client.live.isOpen()).toBe(false);
  });
});
