import { describe, expect, it, vi } from 'vitest';
import { createFakeAppCore } from '../../../tests/integration/fakes/fake-app-core';
import type { RpcServerMessage } from './protocol';
import { createRpcDispatcher } from './rpc-dispatcher';
import { createRpcEndpoint } from './rpc-endpoint';

function setup() {
  const sent: RpcServerMessage[] = [];
  const logger = { error: vi.fn() };
  const endpoint = createRpcEndpoint(
    createRpcDispatcher(createFakeAppCore().handlers, logger),
    (m) => sent.push(m),
    logger,
  );
  return { endpoint, sent, logger };
}

describe('createRpcEndpoint', () => {
  it('answers a request with a response carrying the same id', async () => {
    const { endpoint, sent } = setup();
    await endpoint.receive({ type: 'request', id: 7, method: 'app.status', params: {} });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'response', id: 7, result: { ok: true } });
  });

  it('answers a malformed request that has an id with VALIDATION_FAILED', async () => {
    const { endpoint, sent } = setup();
    await endpoint.receive({ type: 'request', id: 3, method: 42 });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      type: 'response',
      id: 3,
      result: { ok: false, error: { code: 'VALIDATION_FAILED' } },
    });
  });

  it('drops and logs a message without an id', async () => {
    const { endpoint, sent, logger } = setup();
    await endpoint.receive('hello');
    expect(sent).toEqual([]);
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('survives a send that throws because the client left', async () => {
    const logger = { error: vi.fn() };
    const endpoint = createRpcEndpoint(
      createRpcDispatcher(createFakeAppCore().handlers, logger),
      () => {
        throw new Error('socket closed');
      },
      logger,
    );
    await expect(
      endpoint.receive({ type: 'request', id: 1, method: 'app.status', params: {} }),
    ).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledOnce();
  });
});
