import { useSync } from './sync-context';

/**
 * The last sync failure in full, under the header: the header row has no room for a sentence, and this message
 * says what to do ("Can't reach … Your changes are kept …"). Gone once a sync succeeds.
 */
export function SyncErrorBanner() {
  const { status } = useSync();
  const error = status?.lastError ?? null;
  if (error === null) return null;
  return (
    <div className="sync-error-banner" role="status" aria-label="Sync error" aria-live="polite">
      <span className="sync-error-icon" aria-hidden="true">
        !
      </span>
      <span>{error.message}</span>
    </div>
  );
}
