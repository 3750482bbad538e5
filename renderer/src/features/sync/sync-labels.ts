import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import { formatTimeAgo } from '../../lib/relative-time';

type Connection = SyncStatus['connection'];

export const CONNECTION_LABELS: Readonly<Record<Connection, string>> = {
  online: 'Online',
  offline: 'Offline',
  connecting: 'Connecting…',
  signedOut: 'Signed out',
};

export function pendingLabel(count: number): string {
  return count === 1 ? '1 change waiting' : `${count} changes waiting`;
}

export function issuesLabel(count: number): string {
  return count === 1 ? '1 sync issue' : `${count} sync issues`;
}

export function lastSyncedLabel(status: SyncStatus, now: Date): string | null {
  if (status.connection === 'signedOut') return null;
  if (status.lastSyncedAt === null) return 'Not synced yet';
  return `Synced ${formatTimeAgo(status.lastSyncedAt, now)}`;
}

/** "Retrying in 12 s" while a backoff timer runs; null when no retry is scheduled or it is due. */
export function retryLabel(status: SyncStatus, now: Date): string | null {
  if (status.nextRetryAt === null || status.syncing) return null;
  const seconds = Math.ceil((Date.parse(status.nextRetryAt) - now.getTime()) / 1000);
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return seconds < 60 ? `Retrying in ${seconds} s` : `Retrying in ${Math.ceil(seconds / 60)} min`;
}

export const INITIAL_SYNC_PHASES: Readonly<Record<NonNullable<SyncStatus['initialSync']>['phase'], string>> = {
  catalog: 'Downloading campaigns',
  recentMetrics: 'Downloading recent performance',
  historyMetrics: 'Downloading history',
};
