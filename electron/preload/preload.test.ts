import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { KikiBridge } from '@kiki/shared/rpc/kiki-window';

const electron = vi.hoisted(() => {
  const listeners = new Map<string, (event: { ports: unknown[] }) => void>();
  return {
    listeners,
    exposed: new Map<string, unknown>(),
    ipcRenderer: {
      on: vi.fn((channel: string, listener: (event: { ports: unknown[] }) => void) => listeners.set(channel, listener)),
      send: vi.fn(),
    },
  };
});
vi.mock('electron', () => ({
  ipcRenderer: electron.ipcRenderer,
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api) },
}));

class FakePort {
  posted: unknown[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  start() {}
  close() {}
}

beforeEach(async () => {
  vi.resetModules();
  electron.listeners.clear();
  electron.exposed.clear();
  electron.ipcRenderer.send.mockClear();
  await import('./preload');
});

function bridge(): KikiBridge {
  const kiki = electron.exposed.get('kiki') as KikiBridge | undefined;
  if (!kiki) throw new Error('window.kiki was not exposed');
  return kiki;
}

describe('preload', () => {
  it('exposes exactly invoke and onEvent as window.kiki, nothing from Electron', () => {
    expect([...electron.exposed.keys()]).toEqual(['kiki']);
    expect(Object.keys(bridge()).sort()).toEqual(['invoke', 'onEvent']);
  });

  it('asks main for a port and carries calls over it', async () => {
    expect(electron.ipcRenderer.send).toHaveBeenCalledWith('kiki:request-port');
    const pending = bridge().invoke('app.status', {});
    const port = new FakePort();
    electron.listeners.get('kiki:port')?.({ ports: [port] });
    expect(port.posted).toEqual([{ type: 'request', id: 1, method: 'app.status', params: {} }]);
    port.onmessage?.({ data: { type: 'response', id: 1, result: { ok: true, value: 'up' } } });
    expect(await pending).toEqual({ ok: true, value: 'up' });
  });

  it('fails waiting calls with UNAVAILABLE when core exits', async () => {
    electron.listeners.get('kiki:port')?.({ ports: [new FakePort()] });
    const pending = bridge().invoke('app.status', {});
    electron.listeners.get('kiki:core-exited')?.({ ports: [] });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('delivers core events to page listeners', () => {
    const port = new FakePort();
    electron.listeners.get('kiki:port')?.({ ports: [port] });
    const seen: unknown[] = [];
    bridge().onEvent((event, payload) => seen.push([event, payload]));
    port.onmessage?.({ data: { type: 'event', event: 'data.changed', payload: { entities: ['ads'] } } });
    expect(seen).toEqual([['data.changed', { entities: ['ads'] }]]);
  });
});
