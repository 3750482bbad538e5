import type { RpcMethodName, RpcOutput, RpcParsedInput } from './rpc-contract';

/** What core implements: one function per contract method, given the already validated input. */
export type RpcHandlers = {
  [M in RpcMethodName]: (input: RpcParsedInput<M>) => Promise<RpcOutput<M>> | RpcOutput<M>;
};
