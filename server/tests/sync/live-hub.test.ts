import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '@kiki/shared/ids';
import { LIVE_CLOSE_UNAUTHENTICATED, liveMessageSchema, type LiveMessage } from '@kiki/shared/sync/sync-protocol';
import { createLiveHub, type LiveHub, type LiveHubDeps, type LiveSocket } from '../../src/sync/live-hub';

class FakeSocket extends EventEmitter implements LiveSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: LiveMessage[] = [];
  closedWith: number | null = null;
  terminated = false;
  pings = 0;
  send(data: Buffer): void {
    this.sent.push(liveMessageSchema.parse(JSON.parse(data.toString())));
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
    this.readyState = 3;
    this.emit('close');
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  ping(): void {
    this.pings += 1;
  }
}

const orgId = newId();
const clientA = newId();
const clientB = newId();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

let hub: LiveHub | null = null;
afterEach(() => hub?.close());

function makeHub(overrides: Partial<LiveHubDeps> = {}, revoked: Set<string> = new Set()): LiveHub {
  hub = createLiveHub({
    readableClients: () => Promise.resolve(new Set([clientA, clientB])),
    liveSessions: (ids) => Promise.resolve(new Set(ids.filter((id) => !revoked.has(id)))),
    currentVersions: (orgIds) => Promise.resolve(new Map(orgIds.map((o) => [o, 99]))),
    onError: (error) => {
      throw error;
    },
    ...overrides,
  });
  return hub;
}

function connect(h: LiveHub, readable: 'all' | string[], userId = newId(), sessionId = newId()): FakeSocket {
  const socket = new FakeSocket();
  h.add(socket, {
    orgId,
    userId,
    sessionId,
    readable: readable === 'all' ? 'all' : new Set(readable),
    expiresAt: new Date(Date.now() + 60_000),
  });
  return socket;
}

describe('live hub fan-out', () => {
  it('coalesces a burst into one poke per connection with the highest version', async () => {
    const h = makeHub();
    const socket = connect(h, 'all');
    for (const v of [3, 7, 5, 6]) h.handle({ orgId, version: v, clientId: clientA });
    await wait(30);
    await h.idle();
    expect(socket.sent).toEqual([{ type: 'poke', serverVersion: 7 }]);
  });

  it('pokes only connections that can read the changed client', async () => {
    const h = makeHub();
    const readsA = connect(h, [clientA]);
    const readsB = connect(h, [clientB]);
    const readsAll = connect(h, 'all');
    h.handle({ orgId, version: 1 }); // kiki_sync_version's client-less announcement of the same commit
    h.handle({ orgId, version: 1, clientId: clientA });
    await wait(60);
    await h.idle();
    expect(readsA.sent).toEqual([{ type: 'poke', serverVersion: 1 }]);
    expect(readsAll.sent).toEqual([{ type: 'poke', serverVersion: 1 }]);
    expect(readsB.sent).toEqual([]);
  });

  it('pokes the whole agency for a change announced without any client', async () => {
    const h = makeHub();
    const readsB = connect(h, [clientB]);
    h.handle({ orgId, version: 4 });
    await wait(60);
    await h.idle();
    expect(readsB.sent).toEqual([{ type: 'poke', serverVersion: 4 }]);
  });

  it("recomputes a user's readable clients when their memberships change", async () => {
    let readable: Set<string> = new Set([clientB]);
    const h = makeHub({ readableClients: () => Promise.resolve(readable) });
    const userId = newId();
    const socket = connect(h, [clientB], userId);
    readable = new Set([clientA]);
    h.handle({ orgId, userId });
    await wait(30);
    await h.idle();
    expect(socket.sent).toEqual([{ type: 'poke', serverVersion: 99 }]);
    h.handle({ orgId, version: 100, clientId: clientA });
    h.handle({ orgId, version: 100, clientId: clientB });
    await wait(30);
    await h.idle();
    expect(socket.sent).toEqual([
      { type: 'poke', serverVersion: 99 },
      { type: 'poke', serverVersion: 100 },
    ]);
  });

  it('skips a backed-up socket and pokes it once, with the latest version, when it drains', async () => {
    const h = makeHub({ drainCheckMs: 10 });
    const socket = connect(h, 'all');
    socket.bufferedAmount = 10 * 1024 * 1024;
    h.handle({ orgId, version: 1, clientId: clientA });
    await wait(30);
    h.handle({ orgId, version: 2, clientId: clientA });
    await wait(30);
    await h.idle();
    expect(socket.sent).toEqual([]);
    socket.bufferedAmount = 0;
    await wait(60);
    await h.idle();
    expect(socket.sent).toEqual([{ type: 'poke', serverVersion: 2 }]);
  });

  it('closes a connection whose session was revoked instead of poking it', async () => {
    const revoked = new Set<string>();
    const h = makeHub({}, revoked);
    const sessionId = newId();
    const socket = connect(h, 'all', newId(), sessionId);
    revoked.add(sessionId);
    h.handle({ orgId, version: 1, clientId: clientA });
    await wait(30);
    await h.idle();
    expect(socket.sent).toEqual([]);
    expect(socket.closedWith).toBe(LIVE_CLOSE_UNAUTHENTICATED);
    expect(h.size()).toBe(0);
  });

  it('terminates a socket that stopped answering pings', async () => {
    const h = makeHub({ pingIntervalMs: 20 });
    const silent = connect(h, 'all');
    const answering = connect(h, 'all');
    answering.ping = () => {
      answering.pings += 1;
      setImmediate(() => answering.emit('pong'));
    };
    await wait(100);
    expect(silent.terminated).toBe(true);
    expect(answering.terminated).toBe(false);
    expect(answering.pings).toBeGreaterThan(1);
    expect(h.size()).toBe(1);
  });

  it('closes with 4401 when the token expires', async () => {
    const h = makeHub();
    const socket = new FakeSocket();
    h.add(socket, {
      orgId,
      userId: newId(),
      sessionId: newId(),
      readable: 'all',
      expiresAt: new Date(Date.now() + 20),
    });
    await wait(60);
    expect(socket.closedWith).toBe(LIVE_CLOSE_UNAUTHENTICATED);
  });
});
