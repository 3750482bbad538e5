import { createRpcClient, type RpcClient } from '@kiki/shared/rpc/rpc-client';
import type { RpcTransport } from '@kiki/shared/rpc/transport';
import { createWebSocketTransport, type WebSocketFactory } from './websocket-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the renderer is served by the web host. */
    kiki?: RpcTransport;
  }
}

const TOKEN_KEY = 'kiki.webHostToken';

export interface BrowserEnvironment {
  location: { search: string; host: string; pathname: string; hash: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/**
 * The web host hands its per-run token in `?token=`. It is kept for this tab only and taken out of the address bar
 * so it does not end up in screenshots, bookmarks or history.
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

export function webHostRpcUrl(host: string, token: string): string {
  return `ws://${host}/rpc?token=${encodeURIComponent(token)}`;
}

/** Electron's preload transport when present, otherwise the web host's WebSocket. */
export function createAppRpcClient(
  env: BrowserEnvironment & { kiki?: RpcTransport },
  WebSocketImpl: WebSocketFactory,
): RpcClient {
  if (env.kiki !== undefined) return createRpcClient(env.kiki);
  const token = takeWebHostToken(env) ?? '';
  return createRpcClient(
    createWebSocketTransport({ url: webHostRpcUrl(env.location.host, token), WebSocket: WebSocketImpl }),
  );
}
