import { describe, expect, it } from 'vitest';
import { createWebSocketTransport, type WebSocketLike } from './websocket-transport';

type Listener = (event: { data: unknown }) => void;

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  private listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.emit('close');
  }
  emit(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const listener of this.listeners.get(type) ?? []) listener({ data });
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup() {
  FakeSocket.instances = [];
  const transport = createWebSocketTransport({ url: 'ws://127.0.0.1:1/rpc?token=t', WebSocket: FakeSocket });
  return { transport, socket: () => FakeSocket.instances.at(-1)! };
}

describe('createWebSocketTransport', () => {
  it('waits for the socket to open, then matches responses to requests by id', async () => {
    const { transport, socket } = setup();
    const first = transport.invoke('app.status', {});
    const second = transport.invoke('clients.list', {});
    socket().emit('open');
    await tick();
    expect(socket().sent).toEqual([
      { type: 'request', id: 1, method: 'app.status', params: {} },
      { type: 'request', id: 2, method: 'clients.list', params: {} },
    ]);
    socket().emit('message', JSON.stringify({ type: 'response', id: 2, result: { ok: true, value: 'two' } }));
    socket().emit(
      'message',
      JSON.stringify({ type: 'response', id: 1, result: { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } } }),
    );
    await expect(second).resolves.toEqual({ ok: true, value: 'two' });
    await expect(first).resolves.toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'gone' } });
  });

  it('delivers events to subscribers until they unsubscribe', async () => {
    const { transport, socket } = setup();
    const seen: unknown[] = [];
    const off = transport.onEvent((event, payload) => seen.push([event, payload]));
    socket().emit('open');
    socket().emit(
      'message',
      JSON.stringify({ type: 'event', event: 'data.changed', payload: { entities: ['metrics'] } }),
    );
    off();
    socket().emit('message', JSON.stringify({ type: 'event', event: 'data.changed', payload: { entities: ['ads'] } }));
    await tick();
    expect(seen).toEqual([['data.changed', { entities: ['metrics'] }]]);
  });

  it('ignores garbage from the socket', async () => {
    const { transport, socket } = setup();
    const call = transport.invoke('app.status', {});
    socket().emit('open');
    await tick();
    socket().emit('message', 'not json');
    socket().emit('message', JSON.stringify({ type: 'response', id: 'x' }));
    socket().emit('message', JSON.stringify({ type: 'response', id: 1, result: { ok: true, value: 1 } }));
    await expect(call).resolves.toEqual({ ok: true, value: 1 });
  });

  it('fails pending calls as UNAVAILABLE when the socket drops, and reconnects on the next call', async () => {
    const { transport, socket } = setup();
    const call = transport.invoke('app.status', {});
    socket().emit('open');
    await tick();
    const dropped = socket();
    dropped.emit('close');
    await expect(call).resolves.toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });

    const retry = transport.invoke('app.status', {});
    expect(FakeSocket.instances).toHaveLength(2);
    socket().emit('open');
    await tick();
    socket().emit('message', JSON.stringify({ type: 'response', id: 2, result: { ok: true, value: 'back' } }));
    await expect(retry).resolves.toEqual({ ok: true, value: 'back' });
  });

  it('reports UNAVAILABLE when the socket cannot open', async () => {
    const { transport, socket } = setup();
    const call = transport.invoke('app.status', {});
    socket().emit('error');
    socket().emit('close');
    await expect(call).resolves.toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
