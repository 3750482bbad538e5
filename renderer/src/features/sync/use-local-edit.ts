import { useCallback, useState } from 'react';
import type { Result } from '@kiki/shared/result';
import { useSync } from './sync-context';

/**
 * Runs local edits so the page can mark what it saved as "Waiting to sync" until core reports no changes
 * waiting. The outbox is sent in order, so an empty queue is the first moment the edit is surely on the server.
 */
export function useLocalEdit() {
  const { status, beginLocalEdit } = useSync();
  const [savedKeys, setSavedKeys] = useState<ReadonlySet<string>>(new Set());
  const pending = (status?.pendingCount ?? 0) > 0;

  const run = useCallback(
    async <T extends { pendingCount: number }>(key: string, edit: () => Promise<Result<T>>): Promise<Result<T>> => {
      const notePending = beginLocalEdit();
      const result = await edit();
      if (result.ok) {
        notePending(result.value.pendingCount);
        setSavedKeys((keys) => new Set(keys).add(key));
      }
      return result;
    },
    [beginLocalEdit],
  );

  const isWaiting = useCallback((key: string) => pending && savedKeys.has(key), [pending, savedKeys]);
  return { run, isWaiting };
}
