import { createColumnHelper } from '@tanstack/react-table';
import type { CampaignListRow, CampaignSortColumn } from '@kiki/shared/contract/rpc-contract';
import { deriveRatios } from '@kiki/shared/domain/metrics.schema';
import { PLATFORM_LABELS } from '@kiki/shared/domain/platform.schema';
import { formatInteger, formatMoney, formatOptionalMoney, formatPercent, formatRoas } from '../../lib/format';
import type { ColumnVisibility } from '../../lib/column-visibility';
import { StatusBadge } from '../../ui/StatusBadge';

const column = createColumnHelper<CampaignListRow>();

declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- TanStack's declaration merging needs the params.
  interface ColumnMeta<TData, TValue> {
    /** Column core sorts by; columns without one cannot be sorted. */
    sortColumn?: CampaignSortColumn;
    numeric?: boolean;
    /** Label in the column chooser. */
    label: string;
  }
}

const money = (micros: number, row: CampaignListRow) => formatMoney(micros, row.campaign.currency);

export const campaignColumns = [
  column.accessor((row) => row.campaign.name, {
    id: 'name',
    header: 'Campaign',
    meta: { sortColumn: 'name', label: 'Campaign' },
    enableHiding: false,
    cell: (info) => <span className="cell-name">{info.getValue()}</span>,
  }),
  column.accessor('clientName', { id: 'client', header: 'Client', meta: { sortColumn: 'client', label: 'Client' } }),
  column.accessor((row) => row.campaign.status, {
    id: 'status',
    header: 'Status',
    meta: { sortColumn: 'status', label: 'Status' },
    cell: (info) => <StatusBadge status={info.getValue()} />,
  }),
  column.accessor((row) => row.campaign.platforms, {
    id: 'platforms',
    header: 'Platforms',
    meta: { label: 'Platforms' },
    cell: (info) =>
      info
        .getValue()
        .map((p) => PLATFORM_LABELS[p])
        .join(', '),
  }),
  column.accessor((row) => row.campaign.budgetMicros, {
    id: 'budget',
    header: 'Budget',
    meta: { sortColumn: 'budget', numeric: true, label: 'Budget' },
    cell: (info) =>
      `${money(info.getValue(), info.row.original)}${info.row.original.campaign.budgetType === 'daily' ? '/day' : ''}`,
  }),
  column.accessor((row) => row.campaign.startDate, {
    id: 'startDate',
    header: 'Start',
    meta: { sortColumn: 'startDate', label: 'Start date' },
  }),
  column.accessor((row) => row.totals.impressions, {
    id: 'impressions',
    header: 'Impr.',
    meta: { sortColumn: 'impressions', numeric: true, label: 'Impressions' },
    cell: (info) => formatInteger(info.getValue()),
  }),
  column.accessor((row) => row.totals.clicks, {
    id: 'clicks',
    header: 'Clicks',
    meta: { sortColumn: 'clicks', numeric: true, label: 'Clicks' },
    cell: (info) => formatInteger(info.getValue()),
  }),
  column.accessor((row) => row.totals.spendMicros, {
    id: 'spend',
    header: 'Spend',
    meta: { sortColumn: 'spend', numeric: true, label: 'Spend' },
    cell: (info) => money(info.getValue(), info.row.original),
  }),
  column.accessor((row) => row.totals.revenueMicros, {
    id: 'revenue',
    header: 'Revenue',
    meta: { sortColumn: 'revenue', numeric: true, label: 'Revenue' },
    cell: (info) => money(info.getValue(), info.row.original),
  }),
  column.accessor((row) => deriveRatios(row.totals).roas, {
    id: 'roas',
    header: 'ROAS',
    meta: { sortColumn: 'roas', numeric: true, label: 'ROAS' },
    cell: (info) => formatRoas(info.getValue()),
  }),
  column.accessor((row) => row.totals.conversions, {
    id: 'conversions',
    header: 'Conv.',
    meta: { sortColumn: 'conversions', numeric: true, label: 'Conversions' },
    cell: (info) => formatInteger(info.getValue()),
  }),
  column.accessor((row) => deriveRatios(row.totals).cpaMicros, {
    id: 'cpa',
    header: 'CPA',
    meta: { sortColumn: 'cpa', numeric: true, label: 'CPA' },
    cell: (info) => formatOptionalMoney(info.getValue(), info.row.original.campaign.currency),
  }),
  column.accessor((row) => deriveRatios(row.totals).ctr, {
    id: 'ctr',
    header: 'CTR',
    meta: { sortColumn: 'ctr', numeric: true, label: 'CTR' },
    cell: (info) => formatPercent(info.getValue()),
  }),
];

export const DEFAULT_COLUMN_VISIBILITY: ColumnVisibility = {
  name: true,
  client: true,
  status: true,
  platforms: true,
  budget: false,
  startDate: false,
  impressions: false,
  clicks: false,
  spend: true,
  revenue: true,
  roas: true,
  conversions: true,
  cpa: true,
  ctr: true,
};
