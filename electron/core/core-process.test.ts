import { describe, expect, it, vi } from 'vitest';
import { createFakeAppCore } from '../../tests/integration/fakes/fake-app-core';
import type { AppCore, AppCoreOptions } from './app-core';
import { serveCoreProcess, type CorePort, type ParentPortLike } from './core-process';

class FakePort implements CorePort {
  posted: unknown[] = [];
  started = false;
  closed = false;
  private listeners = new Map<string, ((event: { data: unknown }) => void)[]>();
  on(event: 'message' | 'close', listener: ((event: { data: unknown }) => void) | (() => void)) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  start() {
    this.started = true;
  }
  close() {
    this.closed = true;
  }
  deliver(data: unknown) {
    for (const listener of this.listeners.get('message') ?? []) listener({ data });
  }
  emitClose() {
    for (const listener of this.listeners.get('close') ?? []) listener({ data: undefined });
  }
}

function setup(createAppCore: (options: AppCoreOptions) => Promise<AppCore>) {
  let onMessage: ((event: { data: unknown; ports: CorePort[] }) => void) | null = null;
  const toMain: unknown[] = [];
  const parent: ParentPortLike = {
    on: (_event, listener) => (onMessage = listener),
    postMessage: (message) => toMain.push(message),
  };
  const logger = { error: vi.fn(), info: vi.fn(), warn: vi.fn() };
  const exit = vi.fn();
  const served = serveCoreProcess(parent, { createAppCore, logger: logger as never, exit });
  const fromMain = (data: unknown, ports: CorePort[] = []) => onMessage?.({ data, ports });
  return { fromMain, toMain, exit, served, logger };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('serveCoreProcess', () => {
  it('creates core from init and serves RPC on each renderer port', async () => {
    const core = createFakeAppCore();
    const createAppCore = vi.fn(() => Promise.resolve(core as AppCore));
    const { fromMain, toMain } = setup(createAppCore);
    fromMain({ type: 'init', dataDir: '/data', appVersion: '1.2.3' });
    const port = new FakePort();
    fromMain({ type: 'connect' }, [port]);
    expect(port.started).toBe(true);
    port.deliver({ type: 'request', id: 1, method: 'clients.list', params: {} });
    await vi.waitFor(() => expect(port.posted).toHaveLength(1));
    expect(port.posted[0]).toMatchObject({ type: 'response', id: 1, result: { ok: true } });
    expect(createAppCore).toHaveBeenCalledWith({
      dataDir: '/data',
      demo: false,
      appVersion: '1.2.3',
      vault: expect.any(Object) as unknown,
    });
    expect(toMain).toEqual([{ type: 'ready' }]);
  });

  it("keeps the refresh token through main: core's vault asks over the parent port and gets main's answer", async () => {
    let vault: AppCoreOptions['vault'];
    const { fromMain, toMain } = setup((options) => {
      vault = options.vault;
      return Promise.resolve(createFakeAppCore() as AppCore);
    });
    fromMain({ type: 'init', dataDir: '/data', appVersion: '1' });
    await flush();
    const key = 'sync:https://kiki.example:0192f3a0-7c1e-7b3a-9c1d-2f4e5a6b7c8d:refresh';
    const reading = vault?.get(key);
    const request = toMain.at(-1) as { type: string; id: number; op: string; key: string };
    expect(request).toEqual({ type: 'vault.request', id: 0, op: 'get', key });
    fromMain({ type: 'vault.response', id: request.id, ok: true, value: 'from-keychain' });
    await expect(reading).resolves.toBe('from-keychain');

    const storing = vault?.set(key, 'new-token');
    const store = toMain.at(-1) as { id: number };
    fromMain({
      type: 'vault.response',
      id: store.id,
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'Your system keychain is locked.' },
    });
    await expect(storing).rejects.toMatchObject({ code: 'UNAVAILABLE', message: 'Your system keychain is locked.' });
    // A connector credential is not core's to ask for: refused before anything is sent.
    await expect(vault?.get('connector:meta:act_1')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(toMain.filter((m) => (m as { type: string }).type === 'vault.request')).toHaveLength(2);
  });

  it('sends core events to every open port and stops sending to closed ones', async () => {
    const core = createFakeAppCore();
    const { fromMain } = setup(() => Promise.resolve(core as AppCore));
    fromMain({ type: 'init', dataDir: '/data', appVersion: '1' });
    const a = new FakePort();
    const b = new FakePort();
    fromMain({ type: 'connect' }, [a]);
    fromMain({ type: 'connect' }, [b]);
    await flush();
    b.emitClose();
    core.emit('data.changed', { entities: ['ads'] });
    expect(a.posted).toEqual([{ type: 'event', event: 'data.changed', payload: { entities: ['ads'] } }]);
    expect(b.posted).toEqual([]);
  });

  it('ignores malformed control messages and a second init', async () => {
    const createAppCore = vi.fn(() => Promise.resolve(createFakeAppCore() as AppCore));
    const { fromMain, logger } = setup(createAppCore);
    fromMain({ type: 'init', dataDir: '' });
    fromMain({ type: 'init', dataDir: '/a', appVersion: '1' });
    fromMain({ type: 'init', dataDir: '/b', appVersion: '1' });
    await flush();
    expect(createAppCore).toHaveBeenCalledOnce();
    expect(logger.error).toHaveBeenCalled();
  });

  it('closes a port that arrives before init', () => {
    const { fromMain } = setup(() => Promise.resolve(createFakeAppCore() as AppCore));
    const port = new FakePort();
    fromMain({ type: 'connect' }, [port]);
    expect(port.closed).toBe(true);
  });

  it('reports a failed start to main, answers waiting calls with UNAVAILABLE and exits', async () => {
    const { fromMain, toMain, exit } = setup(() => Promise.reject(new Error('database is locked')));
    fromMain({ type: 'init', dataDir: '/data', appVersion: '1' });
    const port = new FakePort();
    fromMain({ type: 'connect' }, [port]);
    port.deliver({ type: 'request', id: 4, method: 'app.status', params: {} });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    await vi.waitFor(() => expect(port.posted).toHaveLength(1));
    expect(port.posted[0]).toMatchObject({ id: 4, result: { ok: false, error: { code: 'UNAVAILABLE' } } });
    expect(toMain).toEqual([{ type: 'fatal', message: 'database is locked' }]);
  });

  it('closes core and its ports on shutdown', async () => {
    const core = createFakeAppCore();
    const { fromMain, served } = setup(() => Promise.resolve(core as AppCore));
    fromMain({ type: 'init', dataDir: '/data', appVersion: '1' });
    const port = new FakePort();
    fromMain({ type: 'connect' }, [port]);
    await flush();
    served.close();
    expect(core.closed).toBe(true);
    expect(port.closed).toBe(true);
  });
});
