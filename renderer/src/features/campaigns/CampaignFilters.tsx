import { useEffect, useState } from 'react';
import { campaignStatusSchema, type CampaignStatus } from '@kiki/shared/domain/campaign.schema';
import { PLATFORM_LABELS, platformSchema, type Platform } from '@kiki/shared/domain/platform.schema';
import type { CampaignFilters as Filters, QueryUpdate } from '../../lib/query-state';
import { useDebouncedValue } from '../../lib/use-debounced-value';

const STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: 'Draft',
  active: 'Active',
  paused: 'Paused',
  completed: 'Completed',
  archived: 'Archived',
};

/** Typing pauses shorter than this are one query, not one per keystroke. */
export const SEARCH_DEBOUNCE_MS = 300;

function toggle<T>(list: readonly T[], value: T): T[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

interface Props {
  filters: Filters;
  update: (update: QueryUpdate, options?: { replace?: boolean }) => void;
}

export function CampaignFilters({ filters, update }: Props) {
  const [text, setText] = useState(filters.search);
  const [shownSearch, setShownSearch] = useState(filters.search);
  // Back/forward can change the URL's search under us: follow it (React's "adjust state on prop change").
  if (shownSearch !== filters.search) {
    setShownSearch(filters.search);
    setText(filters.search);
  }
  const settled = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);

  useEffect(() => {
    // Only a settled value the operator typed is written; a stale debounce after back/forward is not.
    if (settled === text && settled.trim() !== filters.search) {
      update({ search: settled, page: 1 }, { replace: true });
    }
  }, [settled, text, filters.search, update]);

  const hasFilters = filters.platforms.length > 0 || filters.statuses.length > 0 || filters.search !== '';

  return (
    <div className="filters" role="search" aria-label="Filter campaigns">
      <label className="field search-field">
        <span className="visually-hidden">Search campaigns</span>
        <input
          className="input search-input"
          type="search"
          placeholder="Search campaigns or clients…"
          value={text}
          maxLength={200}
          onChange={(event) => setText(event.target.value)}
        />
      </label>
      <div className="chip-group" role="group" aria-label="Platform">
        <span className="chip-group-label" aria-hidden="true">
          Platform
        </span>
        {platformSchema.options.map((platform: Platform) => (
          <button
            key={platform}
            type="button"
            className="chip"
            aria-pressed={filters.platforms.includes(platform)}
            onClick={() => update({ platforms: toggle(filters.platforms, platform), page: 1 })}
          >
            {PLATFORM_LABELS[platform]}
          </button>
        ))}
      </div>
      <div className="chip-group" role="group" aria-label="Status">
        <span className="chip-group-label" aria-hidden="true">
          Status
        </span>
        {campaignStatusSchema.options.map((status) => (
          <button
            key={status}
            type="button"
            className="chip"
            aria-pressed={filters.statuses.includes(status)}
            onClick={() => update({ statuses: toggle(filters.statuses, status), page: 1 })}
          >
            {STATUS_LABELS[status]}
          </button>
        ))}
      </div>
      {hasFilters && (
        <button
          type="button"
          className="button button-ghost"
          onClick={() => {
            setText('');
            update({ platforms: [], statuses: [], search: '', page: 1 });
          }}
        >
          Clear filters
        </button>
      )}
    </div>
  );
}
