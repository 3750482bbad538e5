import type { Result } from '../result';
import type { RpcInput, RpcMethodName, RpcOutput } from '../contract/rpc-contract';
import type { RpcEventName, RpcEventPayload } from '../contract/rpc-events';
import type { RpcTransport } from './transport';

/** The typed face of a transport. Core validates inputs and outputs; the client trusts the contract. */
export interface RpcClient {
  call<M extends RpcMethodName>(method: M, input: RpcInput<M>): Promise<Result<RpcOutput<M>>>;
  on<E extends RpcEventName>(event: E, listener: (payload: RpcEventPayload<E>) => void): () => void;
}

export function createRpcClient(transport: RpcTransport): RpcClient {
  return {
    call: async (method, input) => (await transport.invoke(method, input)) as Result<RpcOutput<typeof method>>,
    on: (event, listener) =>
      transport.onEvent((name, payload) => {
        if (name === event) listener(payload as RpcEventPayload<typeof event>);
      }),
  };
}
