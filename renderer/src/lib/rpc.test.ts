import { describe, expect, it, vi } from 'vitest';
import type { RpcTransport } from '@kiki/shared/rpc/transport';
import type { WebSocketLike } from '@kiki/shared/rpc/websocket-client-transport';
import { createAppRpcClient, takeWebHostToken, type BrowserEnvironment } from './rpc';

function browser(search: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaceState = vi.fn();
  const env: BrowserEnvironment = {
    location: { protocol: 'http:', search, host: '127.0.0.1:4321', pathname: '/', hash: '#/campaigns?range=7d' },
    history: { replaceState },
    sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
  };
  return { env, storage, replaceState };
}

function recordingWebSocket() {
  const urls: string[] = [];
  class Recorder implements WebSocketLike {
    readyState = 0;
    onopen = null;
    onmessage = null;
    onclose = null;
    onerror = null;
    constructor(url: string) {
      urls.push(url);
    }
    send(): void {}
    close(): void {}
  }
  return { urls, Recorder };
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
    const { urls, Recorder } = recordingWebSocket();
    const client = createAppRpcClient({ ...browser('').env, kiki }, Recorder);
    await expect(client.call('app.status', {})).resolves.toEqual({ ok: true, value: 'x' });
    expect(urls).toEqual([]);
  });

  it('otherwise connects to the web host with the escaped token', () => {
    const { urls, Recorder } = recordingWebSocket();
    createAppRpcClient(browser('?token=a b&c').env, Recorder);
    expect(urls).toEqual(['ws://127.0.0.1:4321/rpc?token=a%20b']);
  });

  it('answers every call with a clear UNAUTHENTICATED error when there is no token at all', async () => {
    const { urls, Recorder } = recordingWebSocket();
    const client = createAppRpcClient(browser('').env, Recorder);
    const result = await client.call('app.status', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(result.ok ? '' : result.error.message).toMatch(/\?token=/);
    expect(urls).toEqual([]);
  });
});
