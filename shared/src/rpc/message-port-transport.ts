import type { AppErrorShape } from '../errors';
import type { RpcRequestMessage } from './protocol';
import { createRpcCallTracker } from './rpc-call-tracker';
import type { RpcTransport } from './transport';

type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of a DOM MessagePort (as the Electron preload sees it) this transport uses. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  onmessage: Handler<{ data: unknown }> | null;
  start(): void;
  close(): void;
}

export interface MessagePortRpcTransport extends RpcTransport {
  /** Switches to a fresh port from main (first start or after core restarted); sends calls made meanwhile. */
  attach(port: MessagePortLike): void;
  /** Core went away: waiting calls resolve to UNAVAILABLE and new ones wait for the next port. */
  detach(error: AppErrorShape): void;
  readonly connected: boolean;
}

const coreRestarted: AppErrorShape = {
  code: 'UNAVAILABLE',
  message: 'KIKI core restarted while this request was running. Try again.',
};

/**
 * RPC over the MessagePort main hands to the preload. Messages are the same protocol objects the
 * WebSocket carries as JSON; here they travel by structured clone. Calls made before the first port
 * arrives are held and sent on attach, because the page may start asking before core is up.
 */
export function createMessagePortTransport(): MessagePortRpcTransport {
  const tracker = createRpcCallTracker();
  let port: MessagePortLike | null = null;
  let queue: RpcRequestMessage[] = [];

  const send = (request: RpcRequestMessage) => {
    if (!port) {
      queue.push(request);
      return;
    }
    try {
      port.postMessage(request);
    } catch {
      tracker.failOne(request.id, coreRestarted);
    }
  };

  return {
    get connected() {
      return port !== null;
    },
    invoke(method, params) {
      const { request, result } = tracker.begin(method, params);
      send(request);
      return result;
    },
    onEvent: (listener) => tracker.onEvent(listener),
    attach(next) {
      if (port) {
        // Requests already sent on the old port will never be answered.
        port.onmessage = null;
        port.close();
        tracker.failAll(coreRestarted);
      }
      port = next;
      next.onmessage = (event) => tracker.receive(event.data);
      next.start();
      const waiting = queue;
      queue = [];
      for (const request of waiting) send(request);
    },
    detach(error) {
      if (port) {
        port.onmessage = null;
        port.close();
        port = null;
      }
      queue = [];
      tracker.failAll(error);
    },
  };
}
