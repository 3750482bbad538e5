import type { RpcDispatch } from './rpc-dispatcher';
import type { RpcTransport } from './transport';

export type RpcEventSource = (listener: (event: string, payload: unknown) => void) => () => void;

/**
 * A transport that calls the dispatcher in the same process, for unit tests. Params, results and events
 * go through a JSON round trip so a test fails the same way the real transports would when something
 * that is not plain JSON (a Date, a Map, undefined in an array) tries to cross.
 */
export function createInMemoryTransport(dispatch: RpcDispatch, events?: RpcEventSource): RpcTransport {
  return {
    invoke: async (method, params) => jsonRoundTrip(await dispatch(method, jsonRoundTrip(params))),
    onEvent: (listener) => {
      if (!events) return () => undefined;
      return events((event, payload) => listener(event, jsonRoundTrip(payload)));
    },
  };
}

function jsonRoundTrip<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
