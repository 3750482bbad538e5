import { useCallback, useEffect, useState } from 'react';
import type { AppErrorShape } from '@kiki/shared/errors';
import type { RpcInput, RpcMethodName, RpcOutput } from '@kiki/shared/contract/rpc-contract';
import { useRpcClient } from './rpc-context';

export interface RpcQuery<T> {
  /** The latest successful value; kept while a newer request runs so tables and charts do not flash empty. */
  data: T | undefined;
  error: AppErrorShape | null;
  /** True until the first answer for the current input arrives. */
  isLoading: boolean;
  /** True whenever a request is in flight, including refetches after a retry or a data change. */
  isFetching: boolean;
  refetch: () => void;
}

interface QueryOptions {
  /** When false no request is made (e.g. while waiting for another query). */
  enabled?: boolean;
}

interface Settled<T> {
  data: T | undefined;
  error: AppErrorShape | null;
  /** Input the last answer belongs to. */
  key: string | null;
  /** Input and refetch generation the last answer belongs to. */
  token: string | null;
}

/**
 * Calls an RPC method whenever its input changes and again when core reports changed data. Answers to superseded
 * requests are dropped, so a slow reply for an old filter can never overwrite the current one.
 */
export function useRpcQuery<M extends RpcMethodName>(
  method: M,
  input: RpcInput<M>,
  options: QueryOptions = {},
): RpcQuery<RpcOutput<M>> {
  const rpc = useRpcClient();
  const enabled = options.enabled ?? true;
  const inputJson = JSON.stringify(input);
  const key = `${method}:${inputJson}`;
  const [generation, setGeneration] = useState(0);
  const token = `${key}#${generation}`;
  const [settled, setSettled] = useState<Settled<RpcOutput<M>>>({
    data: undefined,
    error: null,
    key: null,
    token: null,
  });

  useEffect(() => {
    if (!enabled) return;
    let current = true;
    const requestKey = `${method}:${inputJson}`;
    const requestToken = `${requestKey}#${generation}`;
    rpc.call(method, JSON.parse(inputJson) as RpcInput<M>).then(
      (result) => {
        if (!current) return;
        setSettled((s) =>
          result.ok
            ? { data: result.value, error: null, key: requestKey, token: requestToken }
            : { data: s.data, error: result.error, key: requestKey, token: requestToken },
        );
      },
      (cause: unknown) => {
        if (!current) return;
        const detail = cause instanceof Error ? cause.message : String(cause);
        setSettled((s) => ({
          data: s.data,
          error: { code: 'INTERNAL', message: `The request failed unexpectedly (${detail}). Retry.` },
          key: requestKey,
          token: requestToken,
        }));
      },
    );
    return () => {
      current = false;
    };
  }, [rpc, method, inputJson, enabled, generation]);

  useEffect(() => rpc.on('data.changed', () => setGeneration((g) => g + 1)), [rpc]);

  const refetch = useCallback(() => setGeneration((g) => g + 1), []);

  return {
    data: settled.data,
    error: settled.key === key ? settled.error : null,
    isLoading: enabled && settled.key !== key,
    isFetching: enabled && settled.token !== token,
    refetch,
  };
}
