import { describe, expect, it, vi } from 'vitest';
import type { RpcTransport } from '@kiki/shared/rpc/transport';
import { createAppRpcClient, takeWebHostToken, webHostRpcUrl, type BrowserEnvironment } from './rpc';
import type { WebSocketLike } from './websocket-transport';

function browser(search: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaceState = vi.fn();
  const env: BrowserEnvironment = {
    location: { search, host: '127.0.0.1:4321', pathname: '/', hash: '#/campaigns?range=7d' },
    history: { replaceState },
    sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
  };
  return { env, storage, replaceState };
}

describe('takeWebHostToken', () => {
  it('takes the token from the URL, stores it for the tab and removes it from the address bar', () => {
    const { env, storage, replaceState } = browser('?token=s3cret&x=1');
    expect(takeWebHostToken(env)).toBe('s3cret');
    expect([...storage.values()]).toEqual(['s3cret']);
    expect(replaceState).toHaveBeenCalledWith(null, '', '/?x=1#/campaigns?range=7d');
  });

  it('falls back to the stored token after a reload', () => {
    const { env, replaceState } = browser('', { 'kiki.webHostToken': 'kept' });
    expect(takeWebHostToken(env)).toBe('kept');
    expect(replaceState).not.toHaveBeenCalled();
  });
});

describe('createAppRpcClient', () => {
  it('uses the Electron preload transport when present', async () => {
    const kiki: RpcTransport = {
      invoke: vi.fn(() => Promise.resolve({ ok: true as const, value: 'x' })),
      onEvent: () => () => {},
    };
    const opened: string[] = [];
    class Never implements WebSocketLike {
      readyState = 0;
      constructor(url: string) {
        opened.push(url);
      }
      send(): void {}
      close(): void {}
      addEventListener(): void {}
    }
    const client = createAppRpcClient({ ...browser('').env, kiki }, Never);
    await expect(client.call('app.status', {})).resolves.toEqual({ ok: true, value: 'x' });
    expect(opened).toEqual([]);
  });

  it('otherwise connects to the web host with the escaped token', () => {
    expect(webHostRpcUrl('127.0.0.1:4321', 'a b&c')).toBe('ws://127.0.0.1:4321/rpc?token=a%20b%26c');
    const urls: string[] = [];
    class Recorder implements WebSocketLike {
      readyState = 0;
      constructor(url: string) {
        urls.push(url);
      }
      send(): void {}
      close(): void {}
      addEventListener(): void {}
    }
    const client = createAppRpcClient(browser('?token=abc').env, Recorder);
    client.on('data.changed', () => {});
    expect(urls).toEqual(['ws://127.0.0.1:4321/rpc?token=abc']);
  });
});
