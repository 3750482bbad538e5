import { describe, expect, it } from 'vitest';
import { createWebSocketTransport, webHostRpcUrl, type WebSocketLike } from './websocket-client-transport';

/** A scriptable socket: the test decides when it opens, what it receives and when it drops. */
class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  reply(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function setup() {
  FakeSocket.instances = [];
  const timers: { callback: () => void; ms: number }[] = [];
  const transport = createWebSocketTransport({
    url: 'ws://127.0.0.1:1/rpc?token=t',
    WebSocket: FakeSocket,
    initialBackoffMs: 100,
    maxBackoffMs: 400,
    timers: {
      setTimeout: (callback, ms) => timers.push({ callback, ms }),
      clearTimeout: () => undefined,
    },
  });
  const socket = (i: number) => {
    const s = FakeSocket.instances[i];
    if (!s) throw new Error(`no socket #${i}`);
    return s;
  };
  return { transport, timers, socket };
}

describe('createWebSocketTransport', () => {
  it('holds calls until the socket opens, then matches responses by id', async () => {
    const { transport, socket } = setup();
    const a = transport.invoke('app.status', {});
    const b = transport.invoke('clients.list', {});
    expect(socket(0).sent).toEqual([]);
    socket(0).open();
    expect(socket(0).sent).toEqual([
      { type: 'request', id: 1, method: 'app.status', params: {} },
      { type: 'request', id: 2, method: 'clients.list', params: {} },
    ]);
    socket(0).reply({ type: 'response', id: 2, result: { ok: true, value: 'second' } });
    socket(0).reply({ type: 'response', id: 1, result: { ok: true, value: 'first' } });
    expect(await a).toEqual({ ok: true, value: 'first' });
    expect(await b).toEqual({ ok: true, value: 'second' });
  });

  it('resolves waiting calls with UNAVAILABLE when the connection drops', async () => {
    const { transport, socket } = setup();
    socket(0).open();
    const call = transport.invoke('app.status', {});
    socket(0).drop();
    expect(await call).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('reconnects with doubling backoff up to the cap, and resets it after a success', () => {
    const { transport, timers, socket } = setup();
    socket(0).drop();
    timers.shift()?.callback();
    socket(1).drop();
    timers.shift()?.callback();
    socket(2).drop();
    timers.shift()?.callback();
    socket(3).drop();
    expect(timers.map((t) => t.ms)).toEqual([400]);
    timers.shift()?.callback();
    socket(4).open();
    expect(transport.state).toBe('open');
    socket(4).drop();
    expect(timers.map((t) => t.ms)).toEqual([100]);
  });

  it('reports backoff delays 100, 200, 400, 400', () => {
    const { timers, socket } = setup();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      socket(i).drop();
      const next = timers.shift();
      if (!next) throw new Error('no reconnect scheduled');
      delays.push(next.ms);
      next.callback();
    }
    expect(delays).toEqual([100, 200, 400, 400]);
  });

  it('delivers events to listeners and ignores garbage and unknown ids', () => {
    const { transport, socket } = setup();
    socket(0).open();
    const events: unknown[] = [];
    transport.onEvent((event, payload) => events.push([event, payload]));
    socket(0).onmessage?.({ data: 'not json' });
    socket(0).reply({ type: 'response', id: 999, result: { ok: true, value: 1 } });
    socket(0).reply({ type: 'event', event: 'data.changed', payload: { entities: ['ads'] } });
    expect(events).toEqual([['data.changed', { entities: ['ads'] }]]);
  });

  it('after close() fails pending and new calls and stops reconnecting', async () => {
    const { transport, timers, socket } = setup();
    socket(0).open();
    const pending = transport.invoke('app.status', {});
    transport.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(await transport.invoke('app.status', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(timers).toEqual([]);
    expect(transport.state).toBe('closed');
  });

  it('tells listeners about connection changes', () => {
    const { transport, socket } = setup();
    const states: string[] = [];
    transport.onConnectionChange((s) => states.push(s));
    socket(0).open();
    socket(0).drop();
    expect(states).toEqual(['open', 'reconnecting']);
  });
});

describe('webHostRpcUrl', () => {
  it('builds the socket URL on the same host with the page token', () => {
    expect(webHostRpcUrl({ protocol: 'http:', host: '127.0.0.1:5173', search: '?token=a+b/c' })).toBe(
      'ws://127.0.0.1:5173/rpc?token=a%20b%2Fc',
    );
  });

  it('explains what to do when the page has no token', () => {
    expect(() => webHostRpcUrl({ protocol: 'http:', host: '127.0.0.1:1', search: '' })).toThrow(/\?token=/);
  });
});
