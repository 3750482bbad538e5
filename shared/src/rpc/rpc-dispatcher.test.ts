import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors';
import type { RpcHandlers } from '../contract/rpc-handlers';
import { createFakeAppCore } from '../../../tests/integration/fakes/fake-app-core';
import { createRpcDispatcher, type RpcLogger } from './rpc-dispatcher';

const range = { from: '2026-01-01', to: '2026-01-31' };

function setup(overrides: Partial<RpcHandlers> = {}) {
  const logger: RpcLogger = { error: vi.fn() };
  const handlers = { ...createFakeAppCore().handlers, ...overrides };
  return { dispatch: createRpcDispatcher(handlers, logger), logger };
}

describe('createRpcDispatcher', () => {
  it('runs a known method and returns its validated output', async () => {
    const { dispatch } = setup();
    const result = await dispatch('clients.list', {});
    expect(result).toEqual({ ok: true, value: { clients: [expect.objectContaining({ name: 'Acme Outdoor' })] } });
  });

  it('gives the handler the parsed input, with contract defaults filled in', async () => {
    const list = vi.fn(() => ({ total: 0, rows: [] }));
    const { dispatch } = setup({ 'campaigns.list': list });
    await dispatch('campaigns.list', { range });
    expect(list).toHaveBeenCalledWith(expect.objectContaining({ range, offset: 0, limit: 100, search: '' }));
  });

  it.each(['no.such.method', 'toString', '__proto__', 'constructor'])('refuses unknown method %s', async (method) => {
    const { dispatch } = setup();
    const result = await dispatch(method, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    if (!result.ok) expect(result.error.message).toContain(`"${method}"`);
  });

  it('refuses invalid input with VALIDATION_FAILED naming the field, without calling the handler', async () => {
    const summary = vi.fn();
    const { dispatch } = setup({ 'dashboard.summary': summary });
    const result = await dispatch('dashboard.summary', {
      clientId: null,
      range: { from: 'yesterday', to: '2026-01-01' },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('VALIDATION_FAILED');
    expect(result.error.message).toContain('range.from');
    expect(summary).not.toHaveBeenCalled();
  });

  it('passes an AppError thrown by a handler through with its code and message', async () => {
    const { dispatch } = setup();
    const result = await dispatch('campaigns.detail', { campaignId: '0190f5a2-7c3e-7a10-8b2c-222222222222', range });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: 'Campaign 0190f5a2-7c3e-7a10-8b2c-222222222222 is not in the local cache. Sync, then try again.',
      },
    });
  });

  it('keeps AppError details', async () => {
    const { dispatch } = setup({
      'clients.list': () => {
        throw new AppError('CONFLICT', 'Someone else changed it; reload.', { field: 'budget' });
      },
    });
    expect(await dispatch('clients.list', {})).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'Someone else changed it; reload.', details: { field: 'budget' } },
    });
  });

  it('turns any other error into INTERNAL without leaking its message or stack, and logs it', async () => {
    const { dispatch, logger } = setup({
      'app.status': () => {
        throw new Error('SQLITE_CORRUPT: database disk image is malformed at /home/op/.kiki/db.sqlite');
      },
    });
    const result = await dispatch('app.status', {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL');
    expect(JSON.stringify(result)).not.toMatch(/SQLITE|db\.sqlite|at /);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ method: 'app.status' }), expect.any(String));
  });

  it('treats an output that breaks the contract as INTERNAL (a bug in core)', async () => {
    const { dispatch, logger } = setup({
      'clients.list': () => ({ clients: [{ id: 'not-a-uuid', name: '', currency: 'usd', timezone: 'UTC' }] }),
    });
    const result = await dispatch('clients.list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it('strips fields the contract does not declare, so nothing extra leaks to the renderer', async () => {
    const { dispatch } = setup({
      'clients.list': () => ({
        clients: [
          {
            id: '0190f5a2-7c3e-7a10-8b2c-111111111111',
            name: 'A',
            currency: 'EUR',
            timezone: 'UTC',
            apiToken: 's3cret',
          },
        ],
      }),
    });
    const result = await dispatch('clients.list', {});
    expect(JSON.stringify(result)).not.toContain('s3cret');
  });
});
