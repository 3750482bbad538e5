import type { RpcMethodName, RpcOutput, RpcParsedInput } from './rpc-contract';
import type { SyncRpcMethodName } from './sync-contract';

/** What core implements: one function per contract method, given the already validated input. */
export type RpcHandlers = {
  [M in RpcMethodName]: (input: RpcParsedInput<M>) => Promise<RpcOutput<M>> | RpcOutput<M>;
};

/** The methods answered from the local cache alone. */
export type CacheRpcHandlers = Omit<RpcHandlers, SyncRpcMethodName>;

/** Sign-in, sync status and offline edits: answered by core's sync module. */
export type SyncRpcHandlers = Pick<RpcHandlers, SyncRpcMethodName>;
