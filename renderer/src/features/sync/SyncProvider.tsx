import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Session, SyncStatus } from '@kiki/shared/contract/sync-contract';
import type { AppErrorShape } from '@kiki/shared/errors';
import { useRpcClient } from '../../lib/rpc-context';
import { useRpcEvent } from '../../lib/use-rpc-event';
import { SyncContext, type SyncState } from './sync-context';

function failure(cause: unknown): AppErrorShape {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return { code: 'INTERNAL', message: `Could not ask KIKI core for the sync status (${detail}). Reload the window.` };
}

/**
 * Holds the sync status and session for the whole shell: fetched once on mount, then kept current by core's
 * 'sync.status' and 'session.changed' events. An answer that arrives after a newer event is dropped, so a slow
 * first fetch cannot roll the header back.
 */
export function SyncProvider({ children }: { children: ReactNode }) {
  const rpc = useRpcClient();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<AppErrorShape | null>(null);
  const statusEvents = useRef(0);
  const sessionEvents = useRef(0);

  useEffect(() => {
    let current = true;
    const statusSeen = statusEvents.current;
    const sessionSeen = sessionEvents.current;
    rpc.call('sync.status', {}).then(
      (result) => {
        if (!current || statusEvents.current !== statusSeen) return;
        if (result.ok) setStatus(result.value);
        else setError(result.error);
      },
      (cause: unknown) => current && setError(failure(cause)),
    );
    rpc.call('session.get', {}).then(
      (result) => {
        if (!current || sessionEvents.current !== sessionSeen) return;
        if (result.ok) setSession(result.value);
        else setError(result.error);
      },
      (cause: unknown) => current && setError(failure(cause)),
    );
    return () => {
      current = false;
    };
  }, [rpc]);

  const applyStatus = useCallback((next: SyncStatus) => {
    statusEvents.current += 1;
    setStatus(next);
    setError(null);
  }, []);
  const applySession = useCallback((next: Session) => {
    sessionEvents.current += 1;
    setSession(next);
  }, []);
  const beginLocalEdit = useCallback(() => {
    const seen = statusEvents.current;
    return (pendingCount: number) => {
      if (statusEvents.current !== seen) return;
      setStatus((s) => (s === null ? s : { ...s, pendingCount }));
    };
  }, []);

  useRpcEvent('sync.status', applyStatus);
  useRpcEvent('session.changed', applySession);

  const value = useMemo<SyncState>(
    () => ({ status, session, error, applyStatus, applySession, beginLocalEdit }),
    [status, session, error, applyStatus, applySession, beginLocalEdit],
  );
  return <SyncContext.Provider value={value}>{children}</SyncContext.Provider>;
}
