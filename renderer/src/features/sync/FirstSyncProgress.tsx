import type { SyncStatus } from '@kiki/shared/contract/sync-contract';
import { formatInteger } from '../../lib/format';
import { INITIAL_SYNC_PHASES } from './sync-labels';

type InitialSync = NonNullable<SyncStatus['initialSync']>;

function ProgressBar({ progress, label }: { progress: InitialSync; label: string }) {
  // Totals are estimates that can arrive late; an unknown total shows as an indeterminate bar.
  const known = progress.total > 0;
  return (
    <progress
      className="sync-progress-bar"
      aria-label={label}
      max={known ? progress.total : undefined}
      value={known ? Math.min(progress.done, progress.total) : undefined}
    />
  );
}

function countLabel(progress: InitialSync): string {
  return progress.total > 0
    ? `${formatInteger(Math.min(progress.done, progress.total))} of ${formatInteger(progress.total)}`
    : `${formatInteger(progress.done)} so far`;
}

/** The first download before the dashboard can show anything: a full panel in place of the page. */
export function FirstSyncPanel({ progress, serverName }: { progress: InitialSync; serverName: string | null }) {
  const phase = INITIAL_SYNC_PHASES[progress.phase];
  return (
    <section className="panel first-sync" aria-labelledby="first-sync-heading">
      <h1 id="first-sync-heading" className="page-title">
        Getting your agency&apos;s data
      </h1>
      <p className="muted">
        {serverName === null ? "Your agency's" : `${serverName}'s`} campaigns and numbers download once; later changes
        arrive in seconds. The dashboard opens as soon as the recent numbers are in.
      </p>
      <div className="first-sync-phase" aria-live="polite">
        <span className="first-sync-phase-label">{phase}</span>
        <span className="muted">{countLabel(progress)}</span>
      </div>
      <ProgressBar progress={progress} label={phase} />
    </section>
  );
}

/** Once the dashboard is usable: a slim bar while older history keeps arriving. */
export function FirstSyncSlimBar({ progress }: { progress: InitialSync }) {
  const phase = INITIAL_SYNC_PHASES[progress.phase];
  return (
    <div className="first-sync-slim" aria-live="polite">
      <span>
        {phase} · {countLabel(progress)}
      </span>
      <ProgressBar progress={progress} label={phase} />
    </div>
  );
}
