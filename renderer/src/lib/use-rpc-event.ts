import { useEffect, useEffectEvent } from 'react';
import type { RpcEventName, RpcEventPayload } from '@kiki/shared/contract/rpc-events';
import { useRpcClient } from './rpc-context';

/**
 * Calls `listener` with every payload core pushes for `event` while the component is mounted. The listener
 * always sees the latest props and state without re-subscribing on every render.
 */
export function useRpcEvent<E extends RpcEventName>(event: E, listener: (payload: RpcEventPayload<E>) => void): void {
  const rpc = useRpcClient();
  const onEvent = useEffectEvent(listener);
  useEffect(() => rpc.on(event, (payload) => onEvent(payload)), [rpc, event]);
}
