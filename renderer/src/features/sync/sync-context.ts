import { createContext, useContext } from 'react';
import type { Session, SyncStatus } from '@kiki/shared/contract/sync-contract';
import type { AppErrorShape } from '@kiki/shared/errors';

export interface SyncState {
  /** null until core first answers. */
  status: SyncStatus | null;
  session: Session | null;
  /** Why core could not be asked (core restarting, no token); the header shows it instead of a status. */
  error: AppErrorShape | null;
  /** Takes a fresher status (e.g. the answer of sync.now or an edit's pendingCount) without waiting for the event. */
  applyStatus: (status: SyncStatus) => void;
  applySession: (session: Session) => void;
  /**
   * Call when a local edit starts; call what it returns with the edit's pendingCount. The count is taken only if
   * no status event arrived in between, so a late reply never hides a newer "all synced" from core.
   */
  beginLocalEdit: () => (pendingCount: number) => void;
}

export const SyncContext = createContext<SyncState | null>(null);

export function useSync(): SyncState {
  const state = useContext(SyncContext);
  if (state === null) throw new Error('useSync must be used inside <SyncProvider>');
  return state;
}
