import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { DateRange } from '@kiki/shared/dates';
import type { Client } from '@kiki/shared/domain/client.schema';
import { useAppData } from '../../app/app-data-context';
import { effectiveToday, todayIn } from '../../lib/date-presets';
import {
  readClientId,
  readRangeSelection,
  resolveRange,
  withQueryUpdate,
  type QueryUpdate,
  type RangeSelection,
} from '../../lib/query-state';

export interface ViewState {
  /** null = All clients. An id the cache does not know falls back to All clients. */
  clientId: string | null;
  client: Client | null;
  selection: RangeSelection;
  range: DateRange;
  params: URLSearchParams;
  /** Pushes a history entry, so back/forward walk through the operator's choices. */
  update: (update: QueryUpdate, options?: { replace?: boolean }) => void;
}

/** Client and period shared by every page, read from and written to the URL query. */
export function useViewState(): ViewState {
  const [params, setParams] = useSearchParams();
  const { today, clientsById, status } = useAppData();
  const requestedClient = readClientId(params);
  const client = requestedClient === null ? null : (clientsById.get(requestedClient) ?? null);
  const selection = useMemo(() => readRangeSelection(params), [params]);
  // One client's presets end on that client's own today (Tokyo is often a day ahead of the operator); All
  // clients keeps the operator's day.
  const presetToday = useMemo(
    () => (client === null ? today : effectiveToday(todayIn(client.timezone, new Date()), status.latestMetricDate)),
    [client, today, status.latestMetricDate],
  );
  const range = useMemo(() => resolveRange(selection, presetToday), [selection, presetToday]);
  const update = useCallback(
    (change: QueryUpdate, options?: { replace?: boolean }) =>
      setParams((current) => withQueryUpdate(current, change), { replace: options?.replace ?? false }),
    [setParams],
  );
  return { clientId: client?.id ?? null, client, selection, range, params, update };
}
