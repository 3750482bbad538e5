import { AppError, type AppErrorShape } from '../errors';
import { fail } from '../result';
import { createRpcCallTracker } from './rpc-call-tracker';
import type { RpcTransport } from './transport';

// Handler params are declared bivariantly so both the DOM WebSocket (MessageEvent/CloseEvent) and the
// `ws` package's WebSocket fit this structural type without shared/ depending on either.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a WebSocket (browser or `ws`) this transport uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface WebSocketRpcTransport extends RpcTransport {
  readonly state: ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Stops for good: fails pending calls and never reconnects. */
  close(): void;
}

export interface WebSocketTransportOptions {
  url: string;
  WebSocket: WebSocketConstructorLike;
  /** First reconnect delay; doubles on every failed attempt up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  timers?: {
    setTimeout(callback: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
}

const OPEN = 1;

const lostConnection: AppErrorShape = {
  code: 'UNAVAILABLE',
  message: 'Lost the connection to KIKI core. It reconnects by itself; try again in a moment.',
};

/**
 * RPC over a WebSocket to the web host. Calls made while (re)connecting wait for the socket to open;
 * when a connection drops or an attempt fails every waiting call resolves to UNAVAILABLE, so nothing
 * hangs, and the transport retries with exponential backoff.
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketRpcTransport {
  const initialBackoffMs = options.initialBackoffMs ?? 250;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const timers = options.timers ?? {
    setTimeout: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const tracker = createRpcCallTracker();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let queue: string[] = [];
  let socket: WebSocketLike | null = null;
  let state: ConnectionState = 'connecting';
  let failedAttempts = 0;
  let reconnectTimer: unknown = null;

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  const connect = () => {
    reconnectTimer = null;
    setState(failedAttempts === 0 && socket === null ? 'connecting' : 'reconnecting');
    const ws = new options.WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      failedAttempts = 0;
      setState('open');
      const waiting = queue;
      queue = [];
      for (const data of waiting) ws.send(data);
    };
    ws.onmessage = (event) => {
      if (socket !== ws || typeof event.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(event.data);
      } catch {
        // Not our protocol; the tracker would drop it anyway.
        return;
      }
      tracker.receive(message);
    };
    ws.onerror = () => {
      // Always followed by a close event, which does the cleanup.
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      queue = [];
      tracker.failAll(lostConnection);
      if (state === 'closed') return;
      failedAttempts += 1;
      setState('reconnecting');
      const delay = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (failedAttempts - 1));
      reconnectTimer = timers.setTimeout(connect, delay);
    };
  };

  connect();

  return {
    get state() {
      return state;
    },
    invoke(method, params) {
      if (state === 'closed') {
        return Promise.resolve(fail({ code: 'UNAVAILABLE', message: 'The connection to KIKI core was closed.' }));
      }
      const { request, result } = tracker.begin(method, params);
      const data = JSON.stringify(request);
      if (socket?.readyState === OPEN) {
        try {
          socket.send(data);
        } catch {
          tracker.failOne(request.id, lostConnection);
        }
      } else {
        queue.push(data);
      }
      return result;
    },
    onEvent: (listener) => tracker.onEvent(listener),
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => {
        stateListeners.delete(listener);
      };
    },
    close() {
      if (state === 'closed') return;
      setState('closed');
      if (reconnectTimer !== null) timers.clearTimeout(reconnectTimer);
      queue = [];
      tracker.failAll({ code: 'UNAVAILABLE', message: 'The connection to KIKI core was closed.' });
      socket?.close(1000, 'client closed');
    },
  };
}

/**
 * The RPC URL for a page served by the web host: same host, `/rpc`, and the per-run token the host
 * printed in the page URL (`?token=...`).
 */
export function webHostRpcUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) {
    throw new AppError(
      'UNAUTHENTICATED',
      'This page was opened without its access token. Open the full URL the web host printed (it ends in ?token=...).',
    );
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/rpc?token=${encodeURIComponent(token)}`;
}
