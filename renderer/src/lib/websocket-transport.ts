import type { Result } from '@kiki/shared/result';
import type { RpcTransport } from '@kiki/shared/rpc/transport';
import { rpcServerMessageSchema, type RpcRequestMessage } from '@kiki/shared/rpc/protocol';

/** The slice of the DOM WebSocket this transport uses, so tests can hand in a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

const OPEN = 1;

const unavailable = (message: string): Result<never> => ({ ok: false, error: { code: 'UNAVAILABLE', message } });

/**
 * RPC over the web host's loopback WebSocket. Calls made before the socket opens wait for it; when the socket drops,
 * pending calls fail with UNAVAILABLE and the next call reconnects, so a restarted host heals on "Retry".
 */
export function createWebSocketTransport(options: { url: string; WebSocket: WebSocketFactory }): RpcTransport {
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let opened: Promise<boolean> | null = null;

  function connect(): Promise<boolean> {
    if (socket !== null && opened !== null) return opened;
    const ws = new options.WebSocket(options.url);
    socket = ws;
    opened = new Promise<boolean>((resolve) => {
      ws.addEventListener('open', () => resolve(true));
      ws.addEventListener('error', () => resolve(false));
      ws.addEventListener('close', () => {
        resolve(false);
        if (socket === ws) {
          socket = null;
          opened = null;
        }
        for (const [id, settle] of pending) {
          pending.delete(id);
          settle(unavailable('Lost the connection to KIKI core. Check that the app is still running, then retry.'));
        }
      });
    });
    ws.addEventListener('message', (event) => {
      if (typeof event.data !== 'string') return;
      let json: unknown;
      try {
        json = JSON.parse(event.data);
      } catch {
        console.warn('Ignored a message from core that is not JSON');
        return;
      }
      const message = rpcServerMessageSchema.safeParse(json);
      if (!message.success) {
        console.warn('Ignored a malformed message from core', message.error.issues[0]);
        return;
      }
      if (message.data.type === 'response') {
        const settle = pending.get(message.data.id);
        pending.delete(message.data.id);
        settle?.(message.data.result);
      } else {
        for (const listener of listeners) listener(message.data.event, message.data.payload);
      }
    });
    return opened;
  }

  return {
    async invoke(method, params) {
      const isOpen = await connect();
      const ws = socket;
      if (!isOpen || ws === null || ws.readyState !== OPEN) {
        return unavailable('Cannot reach KIKI core. Check that the app is still running, then retry.');
      }
      const id = nextId++;
      const request: RpcRequestMessage = { type: 'request', id, method, params };
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify(request));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      // Events only flow over an open socket; subscribing alone should start the connection.
      void connect();
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
