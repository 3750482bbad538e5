import { createRpcClient, type RpcClient } from '@kiki/shared/rpc/rpc-client';
import type { KikiBridge } from '@kiki/shared/rpc/kiki-window';
import type { RpcTransport } from '@kiki/shared/rpc/transport';
import {
  createWebSocketTransport,
  webHostRpcUrl,
  type WebSocketConstructorLike,
} from '@kiki/shared/rpc/websocket-client-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the renderer is served by the web host. */
    kiki?: KikiBridge;
  }
}

const TOKEN_KEY = 'kiki.webHostToken';

export interface BrowserEnvironment {
  location: { protocol: string; search: string; host: string; pathname: string; hash: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  kiki?: KikiBridge;
}

/**
 * The web host hands its per-run token in `?token=`. It is kept for this tab only (so a reload still connects) and
 * taken out of the address bar so it does not end up in screenshots, bookmarks or history.
 */
export function takeWebHostToken(env: BrowserEnvironment): string | null {
  const params = new URLSearchParams(env.location.search);
  const fromUrl = params.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    env.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const rest = params.toString();
    env.history.replaceState(null, '', `${env.location.pathname}${rest === '' ? '' : `?${rest}`}${env.location.hash}`);
    return fromUrl;
  }
  return env.sessionStorage.getItem(TOKEN_KEY);
}

function refusingTransport(message: string): RpcTransport {
  return {
    invoke: () => Promise.resolve({ ok: false, error: { code: 'UNAUTHENTICATED', message } }),
    onEvent: () => () => {},
  };
}

/** Electron's preload transport when present, otherwise the web host's WebSocket. */
export function createAppRpcClient(env: BrowserEnvironment, WebSocketImpl: WebSocketConstructorLike): RpcClient {
  if (env.kiki !== undefined) return createRpcClient(env.kiki);
  const token = takeWebHostToken(env);
  if (token === null) {
    return createRpcClient(
      refusingTransport(
        'This page was opened without its access token. Open the full URL the web host printed (it ends in ?token=...).',
      ),
    );
  }
  const url = webHostRpcUrl({
    protocol: env.location.protocol,
    host: env.location.host,
    search: `?token=${encodeURIComponent(token)}`,
  });
  return createRpcClient(createWebSocketTransport({ url, WebSocket: WebSocketImpl }));
}
