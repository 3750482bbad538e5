import { useCallback, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { getCoreRowModel, useReactTable, type VisibilityState } from '@tanstack/react-table';
import type { CampaignListRow } from '@kiki/shared/contract/rpc-contract';
import { useAppData } from '../../app/app-data-context';
import { readColumnVisibility, serializeColumnVisibility } from '../../lib/column-visibility';
import { formatInteger } from '../../lib/format';
import { carriedQuery, PAGE_SIZES, readCampaignFilters, type CampaignSort, type PageSize } from '../../lib/query-state';
import { useRpcQuery } from '../../lib/use-rpc-query';
import { EmptyState, ErrorState, LoadingState, NoDataYet } from '../../ui/StateViews';
import { useViewState } from '../filters/use-view-state';
import { campaignColumns, DEFAULT_COLUMN_VISIBILITY } from './campaign-columns';
import { CampaignFilters } from './CampaignFilters';
import { CampaignTable } from './CampaignTable';
import { ColumnChooser } from './ColumnChooser';

const COLUMNS_KEY = 'kiki.campaignColumns';

function loadColumns(): VisibilityState {
  return readColumnVisibility(window.localStorage.getItem(COLUMNS_KEY), DEFAULT_COLUMN_VISIBILITY);
}

export default function CampaignsPage() {
  const { isEmpty } = useAppData();
  const { clientId, client, range, params, update } = useViewState();
  const navigate = useNavigate();
  const filters = useMemo(() => readCampaignFilters(params), [params]);
  const [columnVisibility, setColumnVisibility] = useState<VisibilityState>(loadColumns);

  const list = useRpcQuery(
    'campaigns.list',
    {
      range,
      clientIds: clientId === null ? [] : [clientId],
      platforms: filters.platforms,
      statuses: filters.statuses,
      search: filters.search,
      sort: filters.sort,
      offset: (filters.page - 1) * filters.pageSize,
      limit: filters.pageSize,
    },
    { enabled: !isEmpty },
  );

  const total = list.data?.total ?? 0;
  const pageCount = Math.max(1, Math.ceil(total / filters.pageSize));
  const rows = useMemo(() => list.data?.rows ?? [], [list.data]);

  // eslint-disable-next-line react-hooks/incompatible-library -- no React Compiler here; TanStack's instance is meant to be read every render.
  const table = useReactTable<CampaignListRow>({
    data: rows,
    columns: campaignColumns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (row) => row.campaign.id,
    // Core sorts, filters and pages in SQL; the table only lays out the page it was given.
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    pageCount,
    state: {
      columnVisibility,
      sorting: [{ id: filters.sort.column, desc: filters.sort.direction === 'desc' }],
      pagination: { pageIndex: filters.page - 1, pageSize: filters.pageSize },
    },
    onColumnVisibilityChange: (updater) => {
      setColumnVisibility((current) => {
        const next = typeof updater === 'function' ? updater(current) : updater;
        window.localStorage.setItem(COLUMNS_KEY, serializeColumnVisibility(next));
        return next;
      });
    },
  });

  const carried = carriedQuery(params);
  const open = useCallback(
    (row: CampaignListRow) => {
      void navigate(`/campaigns/${row.campaign.id}${carried}`);
    },
    [navigate, carried],
  );
  const setSort = useCallback((sort: CampaignSort) => update({ sort, page: 1 }), [update]);
  const goToPage = (page: number) => update({ page });

  // Core sorts money within each currency (there is no exchange rate to rank yen against dollars); say so.
  const mixedCurrencySort = clientId === null && ['spend', 'revenue', 'budget', 'cpa'].includes(filters.sort.column);

  const first = total === 0 ? 0 : (filters.page - 1) * filters.pageSize + 1;
  const last = Math.min(filters.page * filters.pageSize, total);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 className="page-title">Campaigns</h1>
          <p className="page-subtitle">{client?.name ?? 'All clients'} · KPIs for the selected period</p>
        </div>
      </header>

      {isEmpty ? (
        <NoDataYet />
      ) : (
        <section className="panel panel-flush" aria-label="Campaign list">
          <div className="toolbar">
            <CampaignFilters filters={filters} update={update} />
            <ColumnChooser table={table} />
          </div>
          {list.error !== null ? (
            <ErrorState
              title="Could not load campaigns"
              error={list.error}
              onRetry={list.refetch}
              retrying={list.isFetching}
            />
          ) : list.data === undefined ? (
            <LoadingState label="Loading campaigns" />
          ) : rows.length === 0 ? (
            total > 0 ? (
              <EmptyState title="This page is past the end of the list">
                <button type="button" className="button" onClick={() => goToPage(1)}>
                  Go to the first page
                </button>
              </EmptyState>
            ) : (
              <EmptyState title="No campaigns match">
                <p>Try fewer filters, another client or a different search.</p>
              </EmptyState>
            )
          ) : (
            <>
              <CampaignTable table={table} sort={filters.sort} onSort={setSort} onOpen={open} busy={list.isFetching} />
              {mixedCurrencySort && (
                <p className="footnote sort-note">
                  Amounts stay in each client&apos;s own currency, so they are ranked within each currency (currencies
                  in A–Z order) and never converted.
                </p>
              )}
              <nav className="pager" aria-label="Pages">
                <span className="pager-status" aria-live="polite">
                  {formatInteger(first)}–{formatInteger(last)} of {formatInteger(total)} campaigns
                </span>
                <label className="field field-inline">
                  <span className="pager-page">Rows per page</span>
                  <select
                    className="select"
                    value={filters.pageSize}
                    onChange={(event) => update({ pageSize: Number(event.target.value) as PageSize, page: 1 })}
                  >
                    {PAGE_SIZES.map((size) => (
                      <option key={size} value={size}>
                        {size}
                      </option>
                    ))}
                  </select>
                </label>
                <button
                  type="button"
                  className="button"
                  onClick={() => goToPage(filters.page - 1)}
                  disabled={filters.page <= 1}
                >
                  Previous page
                </button>
                <span className="pager-page">
                  Page {formatInteger(filters.page)} of {formatInteger(pageCount)}
                </span>
                <button
                  type="button"
                  className="button"
                  onClick={() => goToPage(filters.page + 1)}
                  disabled={filters.page >= pageCount}
                >
                  Next page
                </button>
              </nav>
            </>
          )}
        </section>
      )}
    </div>
  );
}
