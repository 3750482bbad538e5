import { useCallback, useState } from 'react';
import type { AppErrorShape } from '@kiki/shared/errors';
import type { Result } from '@kiki/shared/result';
import type { RpcInput, RpcMethodName, RpcOutput } from '@kiki/shared/contract/rpc-contract';
import { useRpcClient } from './rpc-context';

export interface RpcMutation<M extends RpcMethodName> {
  /** Sends the call; resolves with its result (never rejects), so callers branch on `ok`. */
  mutate: (input: RpcInput<M>) => Promise<Result<RpcOutput<M>>>;
  isPending: boolean;
  /** The last call's error until the next call or `reset`. */
  error: AppErrorShape | null;
  reset: () => void;
}

/** An RPC call started by the user (save, sign in, resolve), with its pending flag and last error. */
export function useRpcMutation<M extends RpcMethodName>(method: M): RpcMutation<M> {
  const rpc = useRpcClient();
  const [isPending, setPending] = useState(false);
  const [error, setError] = useState<AppErrorShape | null>(null);

  const mutate = useCallback(
    async (input: RpcInput<M>): Promise<Result<RpcOutput<M>>> => {
      setPending(true);
      setError(null);
      let result: Result<RpcOutput<M>>;
      try {
        result = await rpc.call(method, input);
      } catch (cause: unknown) {
        const detail = cause instanceof Error ? cause.message : String(cause);
        result = {
          ok: false,
          error: { code: 'INTERNAL', message: `The request failed unexpectedly (${detail}). Try again.` },
        };
      }
      setPending(false);
      if (!result.ok) setError(result.error);
      return result;
    },
    [rpc, method],
  );
  const reset = useCallback(() => setError(null), []);
  return { mutate, isPending, error, reset };
}
