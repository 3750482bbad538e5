// @vitest-environment happy-dom
import { act, createElement, useEffect, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcClient } from '@kiki/shared/rpc/rpc-client';
import type { Result } from '@kiki/shared/result';
import { RpcClientContext } from './rpc-context';
import { useRpcQuery, type RpcQuery } from './use-rpc-query';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

interface PendingCall {
  method: string;
  input: unknown;
  resolve: (result: Result<unknown>) => void;
}

function fakeRpc() {
  const calls: PendingCall[] = [];
  const listeners = new Set<(payload: unknown) => void>();
  const client: RpcClient = {
    call: (method, input) =>
      new Promise((resolve) => calls.push({ method, input, resolve: resolve as PendingCall['resolve'] })),
    on: (_event, listener) => {
      const wrapped = (payload: unknown) => listener(payload as never);
      listeners.add(wrapped);
      return () => listeners.delete(wrapped);
    },
  };
  return { client, calls, emit: (payload: unknown) => listeners.forEach((l) => l(payload)) };
}

type Status = RpcQuery<{ clients: { name: string }[] }>;
let latest: Status | null = null;

function Probe({ search, enabled = true }: { search: string; enabled?: boolean }) {
  // campaigns.list takes a search; the hook is generic, so any method shows its behaviour.
  const query = useRpcQuery('campaigns.list', { range: { from: '2026-01-01', to: '2026-01-31' }, search }, { enabled });
  useEffect(() => {
    latest = query as unknown as Status;
  });
  return null;
}

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  root = createRoot(container);
  latest = null;
});

afterEach(() => {
  act(() => root.unmount());
});

function render(rpc: RpcClient, ui: ReactNode) {
  act(() => root.render(createElement(RpcClientContext.Provider, { value: rpc }, ui)));
}

const page = (name: string) => ({ ok: true as const, value: { total: 1, rows: [name] } });

/** Answers one pending call and lets React process the state update it causes. */
async function answer(call: PendingCall | undefined, result: Result<unknown>) {
  await act(async () => {
    call?.resolve(result);
    await Promise.resolve();
  });
}

describe('useRpcQuery', () => {
  it('is loading until the answer arrives, then holds the data', async () => {
    const rpc = fakeRpc();
    render(rpc.client, createElement(Probe, { search: 'a' }));
    expect(latest?.isLoading).toBe(true);
    expect(rpc.calls).toHaveLength(1);
    expect(rpc.calls[0]?.input).toMatchObject({ search: 'a' });

    await answer(rpc.calls[0], page('first'));
    expect(latest?.isLoading).toBe(false);
    expect(latest?.isFetching).toBe(false);
    expect(latest?.data).toEqual({ total: 1, rows: ['first'] });
  });

  it('drops a slow answer to an older input so it cannot overwrite the current one', async () => {
    const rpc = fakeRpc();
    render(rpc.client, createElement(Probe, { search: 'old' }));
    render(rpc.client, createElement(Probe, { search: 'new' }));
    expect(rpc.calls.map((c) => (c.input as { search: string }).search)).toEqual(['old', 'new']);

    await answer(rpc.calls[1], page('new'));
    await answer(rpc.calls[0], page('old'));
    expect(latest?.data).toEqual({ total: 1, rows: ['new'] });
  });

  it('keeps the previous data while a new input loads', async () => {
    const rpc = fakeRpc();
    render(rpc.client, createElement(Probe, { search: 'a' }));
    await answer(rpc.calls[0], page('a'));
    render(rpc.client, createElement(Probe, { search: 'b' }));
    expect(latest?.isLoading).toBe(true);
    expect(latest?.data).toEqual({ total: 1, rows: ['a'] });
  });

  it('reports an error and recovers on refetch', async () => {
    const rpc = fakeRpc();
    render(rpc.client, createElement(Probe, { search: 'a' }));
    await answer(rpc.calls[0], { ok: false, error: { code: 'UNAVAILABLE', message: 'core is down' } });
    expect(latest?.error).toEqual({ code: 'UNAVAILABLE', message: 'core is down' });

    act(() => latest?.refetch());
    expect(rpc.calls).toHaveLength(2);
    expect(latest?.isFetching).toBe(true);
    await answer(rpc.calls[1], page('back'));
    expect(latest?.error).toBeNull();
    expect(latest?.data).toEqual({ total: 1, rows: ['back'] });
  });

  it('refetches when core says data changed', async () => {
    const rpc = fakeRpc();
    render(rpc.client, createElement(Probe, { search: 'a' }));
    await answer(rpc.calls[0], page('before'));
    act(() => rpc.emit({ entities: ['metrics'] }));
    expect(rpc.calls).toHaveLength(2);
    await answer(rpc.calls[1], page('after'));
    expect(latest?.data).toEqual({ total: 1, rows: ['after'] });
  });

  it('makes no call while disabled', () => {
    const rpc = fakeRpc();
    render(rpc.client, createElement(Probe, { search: 'a', enabled: false }));
    expect(rpc.calls).toHaveLength(0);
    expect(latest?.isLoading).toBe(false);
  });
});
