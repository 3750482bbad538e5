import { createContext, useContext } from 'react';
import type { RpcClient } from '@kiki/shared/rpc/rpc-client';

export const RpcClientContext = createContext<RpcClient | null>(null);

export function useRpcClient(): RpcClient {
  const client = useContext(RpcClientContext);
  if (client === null) throw new Error('useRpcClient must be used inside <RpcClientContext.Provider>');
  return client;
}
