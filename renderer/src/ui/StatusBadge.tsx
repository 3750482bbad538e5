export const STATUS_LABELS: Readonly<Record<string, string>> = {
  draft: 'Draft',
  active: 'Active',
  paused: 'Paused',
  completed: 'Completed',
  archived: 'Archived',
  pending: 'Pending',
  deploying: 'Deploying',
  live: 'Live',
  failed: 'Failed',
  removed: 'Removed',
  rejected: 'Rejected',
};

/** A status as a word with a colour hint; the word carries the meaning, never the colour alone. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}
