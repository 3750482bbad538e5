import type { RpcClient } from '@kiki/shared/rpc/rpc-client';
import type { RpcEventName, RpcEventPayload } from '@kiki/shared/contract/rpc-events';
import type { RpcInput, RpcMethodName, RpcOutput } from '@kiki/shared/contract/rpc-contract';
import type { Result } from '@kiki/shared/result';

type Handler<M extends RpcMethodName> = (input: RpcInput<M>) => Result<RpcOutput<M>> | Promise<Result<RpcOutput<M>>>;
export type FakeHandlers = { [M in RpcMethodName]?: Handler<M> };

/** A scripted RPC client for component tests: answers from `handlers`, records calls, emits events on demand. */
export function fakeRpcClient(handlers: FakeHandlers) {
  const calls: { method: RpcMethodName; input: unknown }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const client: RpcClient = {
    call: async (method, input) => {
      calls.push({ method, input });
      const handler = handlers[method];
      if (handler === undefined) {
        return { ok: false, error: { code: 'UNAVAILABLE', message: `no fake for ${method}` } };
      }
      return handler(input);
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      const wrapped = (payload: unknown) => listener(payload as never);
      set.add(wrapped);
      listeners.set(event, set);
      return () => set.delete(wrapped);
    },
  };
  return {
    client,
    calls,
    callsOf: (method: RpcMethodName) => calls.filter((c) => c.method === method).map((c) => c.input),
    emit: <E extends RpcEventName>(event: E, payload: RpcEventPayload<E>) =>
      listeners.get(event)?.forEach((listener) => listener(payload)),
  };
}
