import { useRef, useState, type KeyboardEvent } from 'react';
import { flexRender, type Table } from '@tanstack/react-table';
import type { CampaignListRow } from '@kiki/shared/contract/rpc-contract';
import type { CampaignSort } from '../../lib/query-state';

interface Props {
  table: Table<CampaignListRow>;
  sort: CampaignSort;
  onSort: (sort: CampaignSort) => void;
  onOpen: (row: CampaignListRow) => void;
  busy: boolean;
}

/**
 * The current page of campaigns. Rows use a roving tabindex: Tab enters the table once, arrow keys move between
 * rows, Home/End jump, Enter opens.
 */
export function CampaignTable({ table, sort, onSort, onOpen, busy }: Props) {
  const rows = table.getRowModel().rows;
  const [activeIndex, setActiveIndex] = useState(0);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const focusable = Math.min(activeIndex, Math.max(rows.length - 1, 0));

  function focusRow(index: number) {
    const clamped = Math.max(0, Math.min(index, rows.length - 1));
    setActiveIndex(clamped);
    bodyRef.current?.querySelectorAll<HTMLTableRowElement>('tr')[clamped]?.focus();
  }

  function onRowKeyDown(event: KeyboardEvent<HTMLTableRowElement>, index: number, row: CampaignListRow) {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        focusRow(index + 1);
        break;
      case 'ArrowUp':
        event.preventDefault();
        focusRow(index - 1);
        break;
      case 'Home':
        event.preventDefault();
        focusRow(0);
        break;
      case 'End':
        event.preventDefault();
        focusRow(rows.length - 1);
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        onOpen(row);
        break;
    }
  }

  return (
    <div className="table-scroll">
      <table className="data-table" aria-busy={busy} aria-label="Campaigns">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const sortColumn = meta?.sortColumn;
                const sorted = sortColumn !== undefined && sort.column === sortColumn ? sort.direction : null;
                return (
                  <th
                    key={header.id}
                    scope="col"
                    data-column={header.column.id}
                    className={meta?.numeric === true ? 'num' : undefined}
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                  >
                    {sortColumn === undefined ? (
                      flexRender(header.column.columnDef.header, header.getContext())
                    ) : (
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() =>
                          onSort({
                            column: sortColumn,
                            direction:
                              sorted === null
                                ? meta?.numeric === true
                                  ? 'desc'
                                  : 'asc'
                                : sorted === 'asc'
                                  ? 'desc'
                                  : 'asc',
                          })
                        }
                      >
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        <span className="sort-indicator" aria-hidden="true">
                          {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody ref={bodyRef}>
          {rows.map((row, index) => (
            <tr
              key={row.id}
              className="clickable-row"
              tabIndex={index === focusable ? 0 : -1}
              data-campaign-id={row.original.campaign.id}
              aria-label={`${row.original.campaign.name}, ${row.original.clientName}. Press Enter to open.`}
              onClick={() => onOpen(row.original)}
              onFocus={() => setActiveIndex(index)}
              onKeyDown={(event) => onRowKeyDown(event, index, row.original)}
            >
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={cell.column.columnDef.meta?.numeric === true ? 'num' : undefined}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
