import type { AppErrorShape } from '../errors';
import { fail, type Result } from '../result';
import { rpcServerMessageSchema, type RpcRequestMessage } from './protocol';

type EventListener = (event: string, payload: unknown) => void;

/**
 * The client half of the wire protocol, independent of what carries the bytes: numbers requests, keeps
 * the pending calls, matches responses to them and fans events out. Transports (WebSocket, MessagePort)
 * wrap it with their own connection handling.
 */
export interface RpcCallTracker {
  /** Registers a call and returns the request to send plus the promise of its result. */
  begin(method: string, params: unknown): { request: RpcRequestMessage; result: Promise<Result<unknown>> };
  /** Feeds one message from the other side; anything that is not a valid server message is ignored. */
  receive(message: unknown): void;
  /** Resolves every pending call with this error, e.g. when the connection drops. */
  failAll(error: AppErrorShape): void;
  /** Resolves one pending call with this error, e.g. when it could not be sent. */
  failOne(id: number, error: AppErrorShape): void;
  onEvent(listener: EventListener): () => void;
  readonly pendingCount: number;
}

export function createRpcCallTracker(): RpcCallTracker {
  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Set<EventListener>();

  return {
    begin(method, params) {
      const id = nextId++;
      const result = new Promise<Result<unknown>>((resolve) => pending.set(id, resolve));
      return { request: { type: 'request', id, method, params }, result };
    },
    receive(message) {
      const parsed = rpcServerMessageSchema.safeParse(message);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'response') {
        const resolve = pending.get(msg.id);
        if (!resolve) return;
        pending.delete(msg.id);
        resolve(msg.result);
        return;
      }
      // Copy first: a listener may unsubscribe itself while we iterate.
      for (const listener of [...listeners]) listener(msg.event, msg.payload);
    },
    failAll(error) {
      const waiting = [...pending.values()];
      pending.clear();
      for (const resolve of waiting) resolve(fail(error));
    },
    failOne(id, error) {
      const resolve = pending.get(id);
      if (!resolve) return;
      pending.delete(id);
      resolve(fail(error));
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get pendingCount() {
      return pending.size;
    },
  };
}
