import { describe, expect, it } from 'vitest';
import { createMessagePortTransport, type MessagePortLike } from './message-port-transport';

class FakePort implements MessagePortLike {
  posted: unknown[] = [];
  started = false;
  closed = false;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(message: unknown) {
    if (this.closed) throw new Error('port closed');
    this.posted.push(message);
  }
  start() {
    this.started = true;
  }
  close() {
    this.closed = true;
  }
  deliver(data: unknown) {
    this.onmessage?.({ data });
  }
}

describe('createMessagePortTransport', () => {
  it('holds calls made before the port arrives and sends them on attach', async () => {
    const transport = createMessagePortTransport();
    const call = transport.invoke('app.status', {});
    const port = new FakePort();
    transport.attach(port);
    expect(port.started).toBe(true);
    expect(port.posted).toEqual([{ type: 'request', id: 1, method: 'app.status', params: {} }]);
    port.deliver({ type: 'response', id: 1, result: { ok: true, value: 42 } });
    expect(await call).toEqual({ ok: true, value: 42 });
  });

  it('fails calls in flight on the old port when core restarts, and uses the new port after', async () => {
    const transport = createMessagePortTransport();
    const first = new FakePort();
    transport.attach(first);
    const inFlight = transport.invoke('clients.list', {});
    const second = new FakePort();
    transport.attach(second);
    expect(first.closed).toBe(true);
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    const next = transport.invoke('clients.list', {});
    expect(second.posted).toHaveLength(1);
    second.deliver({ type: 'response', id: 2, result: { ok: true, value: [] } });
    expect(await next).toEqual({ ok: true, value: [] });
  });

  it('detach resolves waiting calls with the given error and queues new ones for the next port', async () => {
    const transport = createMessagePortTransport();
    const port = new FakePort();
    transport.attach(port);
    const call = transport.invoke('app.status', {});
    transport.detach({ code: 'UNAVAILABLE', message: 'core exited' });
    expect(await call).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'core exited' } });
    expect(transport.connected).toBe(false);
    void transport.invoke('app.status', {});
    const fresh = new FakePort();
    transport.attach(fresh);
    expect(fresh.posted).toHaveLength(1);
  });

  it('forwards events', () => {
    const transport = createMessagePortTransport();
    const port = new FakePort();
    transport.attach(port);
    const seen: unknown[] = [];
    transport.onEvent((event, payload) => seen.push({ event, payload }));
    port.deliver({ type: 'event', event: 'data.changed', payload: { entities: ['clients'] } });
    port.deliver({ type: 'bogus' });
    expect(seen).toEqual([{ event: 'data.changed', payload: { entities: ['clients'] } }]);
  });
});
