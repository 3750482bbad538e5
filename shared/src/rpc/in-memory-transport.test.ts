import { describe, expect, it } from 'vitest';
import { createFakeAppCore } from '../../../tests/integration/fakes/fake-app-core';
import { createRpcClient } from './rpc-client';
import { createRpcDispatcher } from './rpc-dispatcher';
import { createInMemoryTransport } from './in-memory-transport';

describe('createInMemoryTransport', () => {
  it('carries typed calls through the dispatcher', async () => {
    const core = createFakeAppCore();
    const client = createRpcClient(createInMemoryTransport(createRpcDispatcher(core.handlers), core.onEvent));
    const status = await client.call('app.status', {});
    expect(status).toMatchObject({ ok: true, value: { counts: { clients: 1 } } });
  });

  it('delivers events until the listener unsubscribes', () => {
    const core = createFakeAppCore();
    const client = createRpcClient(createInMemoryTransport(createRpcDispatcher(core.handlers), core.onEvent));
    const seen: string[][] = [];
    const off = client.on('data.changed', (payload) => seen.push(payload.entities));
    core.emit('data.changed', { entities: ['campaigns'] });
    off();
    core.emit('data.changed', { entities: ['ads'] });
    expect(seen).toEqual([['campaigns']]);
  });

  it('sends params as JSON, like the real transports: a Date arrives as a string and fails validation', async () => {
    const core = createFakeAppCore();
    const transport = createInMemoryTransport(createRpcDispatcher(core.handlers));
    const result = await transport.invoke('dashboard.summary', {
      clientId: null,
      range: { from: new Date('2026-01-01'), to: '2026-01-31' },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
